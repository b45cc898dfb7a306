import type { ViewName } from '../../workflow/views.ts';
import { tint } from './offline-colours.ts';
import type { OfflineDrawing, OfflineFamily } from './offline-drawing.ts';

/** How one design paints its parts: the same for all five views. */
export type Paint = {
  /** Fill of the main body: its colour, or the metallic gradient of a premium finish. */
  body: string;
  /** A darker body tone for parts behind or under the body (legs, rims, soles). */
  deep: string;
  light: string;
  accent: string;
  outline: string;
  /** Edge weight: heavy on a rugged design. */
  edge: number;
  /** Corner roundness factor: more on a playful design. */
  round: number;
  /** 0..2: how many secondary details are drawn. */
  detail: number;
  variant: number;
};

export function paintOf(drawing: OfflineDrawing): Paint {
  const { design, palette } = drawing;
  return {
    body: design.premium ? 'url(#finish)' : palette.body,
    // A minimal design is nearly one tone with fine edges; every level drops details as well.
    deep: tint(palette.body, design.detail < 2 ? -0.12 : -0.35),
    light: tint(palette.body, design.detail < 2 ? 0.12 : 0.35),
    accent: palette.accent,
    // Premium: a fine gold edge; playful: a bold accent-coloured one; rugged: heavy edges.
    outline: design.premium ? '#c9a54a' : design.playful ? tint(palette.accent, -0.25) : palette.outline,
    edge: design.rugged ? 16 : design.playful ? 9 : design.detail < 2 ? 3 : 5,
    round: design.playful ? 2.2 : 1,
    detail: design.detail,
    variant: design.variant,
  };
}

type Draw = (view: ViewName, paint: Paint) => string[];

/** The product's shapes for one view, in a 1024 x 1024 frame with the floor at y 850. */
export function drawFamily(family: OfflineFamily, view: ViewName, paint: Paint): string[] {
  return families[family](view, paint);
}

// ---- shape helpers -----------------------------------------------------------------------------------

const f = (value: number) => value.toFixed(1);

function stroke(paint: Paint, weight = 1): string {
  return `stroke="${paint.outline}" stroke-width="${f(paint.edge * weight)}" stroke-linejoin="round"`;
}

function box(
  paint: Paint,
  x: number,
  y: number,
  width: number,
  height: number,
  radius: number,
  fill: string,
  outlined = true,
): string {
  const r = Math.min(radius * paint.round, width / 2, height / 2);
  return `<rect x="${f(x)}" y="${f(y)}" width="${f(width)}" height="${f(height)}" rx="${f(r)}" fill="${fill}"${outlined ? ` ${stroke(paint)}` : ''}/>`;
}

function oval(paint: Paint, cx: number, cy: number, rx: number, ry: number, fill: string, outlined = true) {
  return `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(rx)}" ry="${f(ry)}" fill="${fill}"${outlined ? ` ${stroke(paint)}` : ''}/>`;
}

function shape(paint: Paint, d: string, fill: string, outlined = true): string {
  return `<path d="${d}" fill="${fill}"${outlined ? ` ${stroke(paint)}` : ''}/>`;
}

/** A thick line with the outline drawn round it. */
function bar(paint: Paint, d: string, width: number, colour: string): string[] {
  return [
    `<path d="${d}" fill="none" stroke="${paint.outline}" stroke-width="${f(width + 2 * paint.edge)}" stroke-linecap="round" stroke-linejoin="round"/>`,
    `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${f(width)}" stroke-linecap="round" stroke-linejoin="round"/>`,
  ];
}

function line(paint: Paint, x1: number, y1: number, x2: number, y2: number, colour: string, width = 8) {
  return `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="${colour}" stroke-width="${f(width)}" stroke-linecap="round"/>`;
}

const mirrored = (parts: string[]) => [`<g transform="translate(1024 0) scale(-1 1)">`, ...parts, '</g>'];

const when = (condition: boolean, parts: () => string[]) => (condition ? parts() : []);

// ---- families ----------------------------------------------------------------------------------------

const headphones: Draw = (view, paint) => {
  const cupHeight = [210, 240, 190][paint.variant] ?? 210;
  const cupRadius = [60, 45, 26][paint.variant] ?? 60;
  const cupTop = 600 - cupHeight / 2;
  const band = 'M 320 560 C 300 170, 724 170, 704 560';
  switch (view) {
    case 'front':
    case 'back': {
      const cups = [248, 704].map((x) => box(paint, x, cupTop, 72, cupHeight, cupRadius / 2, paint.body));
      const cushions = [320, 668].map((x) =>
        box(paint, x, cupTop + 18, 36, cupHeight - 36, 18, paint.accent),
      );
      return [
        ...bar(paint, band, 42, paint.deep),
        ...when(paint.detail >= 1, () =>
          bar(paint, 'M 360 330 C 420 250, 604 250, 664 330', 16, paint.accent),
        ),
        ...cushions,
        ...cups,
        ...when(paint.detail >= 2, () => [
          box(paint, 268, cupTop - 60, 32, 70, 10, paint.light),
          box(paint, 724, cupTop - 60, 32, 70, 10, paint.light),
        ]),
        ...when(view === 'back' && paint.detail >= 1, () => [
          oval(paint, 284, cupTop + cupHeight - 30, 10, 10, paint.outline, false),
          box(paint, 482, 212, 60, 26, 8, paint.accent),
        ]),
      ];
    }
    case 'side': {
      const r = cupHeight * 0.78;
      const rx = paint.variant === 1 ? r * 0.8 : r;
      return [
        ...bar(paint, 'M 512 460 L 512 250 Q 512 200 470 200', 46, paint.deep),
        ...when(paint.detail >= 2, () => [box(paint, 492, 380, 40, 90, 12, paint.light)]),
        paint.variant === 2
          ? box(paint, 512 - rx, 600 - r, 2 * rx, 2 * r, 50, paint.body)
          : oval(paint, 512, 600, rx, r, paint.body),
        oval(paint, 512, 600, rx * 0.62, r * 0.62, paint.light),
        ...when(paint.detail >= 1, () => [oval(paint, 512, 600, rx * 0.3, r * 0.3, paint.accent)]),
        ...when(paint.detail >= 2, () => [
          oval(paint, 512 + rx * 0.86, 600 - r * 0.3, 12, 12, paint.accent),
          oval(paint, 512 + rx * 0.92, 600, 12, 12, paint.accent),
        ]),
      ];
    }
    case 'top':
    case 'bottom': {
      const cupDepth = cupHeight * 0.85;
      const cups = [250, 700].map((x) =>
        box(paint, x, 530 - cupDepth / 2, 74, cupDepth, cupRadius / 2, paint.body),
      );
      const underside = view === 'bottom';
      return [
        box(paint, 300, 500, 424, 60, 30, paint.deep),
        ...when(paint.detail >= 1 || underside, () => [
          box(paint, 340, 514, 344, 32, 16, underside ? paint.accent : paint.light, false),
        ]),
        ...cups,
        ...when(underside && paint.detail >= 1, () => [
          oval(paint, 287, 530 + cupDepth / 2 - 30, 10, 10, paint.outline, false),
          oval(paint, 737, 530 + cupDepth / 2 - 30, 6, 6, paint.outline, false),
        ]),
        ...when(!underside && paint.detail >= 2, () => [oval(paint, 512, 530, 14, 14, paint.accent)]),
      ];
    }
  }
};

/** Kettle, jug or teapot: a tapered body with a lid, a spout on the left and a handle on the right. */
const kettle: Draw = (view, paint) => {
  const top = [420, 360, 460][paint.variant] ?? 420;
  const topHalf = [112, 96, 150][paint.variant] ?? 112;
  const baseHalf = [160, 130, 175][paint.variant] ?? 160;
  const body = `M ${512 - baseHalf} 840 L ${512 - topHalf} ${top} Q 512 ${top - 40} ${512 + topHalf} ${top} L ${512 + baseHalf} 840 Z`;
  // The body's left edge at a height, and a spout that leaves it at mid-height.
  const leftAt = (y: number) => 512 - topHalf - ((baseHalf - topHalf) * (y - top)) / (840 - top);
  const spout = `M ${leftAt(720) + 20} 720 L ${leftAt(600) + 20} 600 L ${leftAt(top) - 90} ${top - 10} L ${leftAt(top) - 60} ${top + 25} Q ${leftAt(640) - 30} 640 ${leftAt(720) + 20} 720 Z`;
  const profile = () => [
    shape(paint, spout, paint.body),
    ...bar(
      paint,
      `M ${512 + topHalf - 10} ${top + 30} Q ${640 + baseHalf} ${top + 30} ${512 + baseHalf} 760`,
      34,
      paint.deep,
    ),
    shape(paint, body, paint.body),
    box(paint, 512 - baseHalf - 8, 800, 2 * baseHalf + 16, 44, 14, paint.accent),
    oval(paint, 512, top - 22, topHalf * 0.85, 18, paint.light),
    box(paint, 490, top - 58, 44, 30, 10, paint.accent),
  ];
  switch (view) {
    case 'front':
      return [
        ...profile(),
        ...when(paint.detail >= 1, () => [oval(paint, 512 + baseHalf + 40, 700, 16, 16, paint.accent)]),
        ...when(paint.detail >= 2, () => [box(paint, 560, top + 90, 34, 300, 17, paint.light)]),
      ];
    case 'back':
      return [
        ...mirrored(profile()),
        ...when(paint.detail >= 1, () => [box(paint, 452, 640, 120, 70, 10, paint.light)]),
      ];
    case 'side':
      return [
        shape(paint, body, paint.body),
        box(paint, 512 - baseHalf - 8, 800, 2 * baseHalf + 16, 44, 14, paint.accent),
        oval(paint, 512, top - 22, topHalf * 0.85, 18, paint.light),
        box(paint, 490, top - 58, 44, 30, 10, paint.accent),
        box(paint, 490, top + 30, 44, 740 - top, 20, paint.deep),
        ...when(paint.detail >= 1, () => [oval(paint, 512, 700, 14, 14, paint.accent)]),
      ];
    case 'top':
      return [
        shape(
          paint,
          `M ${512 - baseHalf} 510 L ${370 - baseHalf} 470 L ${370 - baseHalf} 550 L ${512 - baseHalf} 550 Z`,
          paint.body,
        ),
        box(paint, 512 + baseHalf - 20, 500, 150, 60, 30, paint.deep),
        oval(paint, 512, 530, baseHalf + 6, baseHalf + 6, paint.body),
        oval(paint, 512, 530, topHalf * 0.85, topHalf * 0.85, paint.light),
        oval(paint, 512, 530, 28, 28, paint.accent),
        ...when(paint.detail >= 2, () => [oval(paint, 512 + baseHalf + 90, 530, 12, 12, paint.accent)]),
      ];
    case 'bottom':
      return [
        oval(paint, 512, 530, baseHalf + 8, baseHalf + 8, paint.body),
        oval(paint, 512, 530, baseHalf - 14, baseHalf - 14, paint.accent),
        oval(paint, 512, 530, baseHalf * 0.45, baseHalf * 0.45, paint.deep),
        ...when(paint.detail >= 1, () =>
          [0, 1, 2, 3].map((index) => {
            const angle = Math.PI / 4 + (index * Math.PI) / 2;
            return oval(
              paint,
              512 + Math.cos(angle) * baseHalf * 0.78,
              530 + Math.sin(angle) * baseHalf * 0.78,
              16,
              16,
              paint.outline,
              false,
            );
          }),
        ),
      ];
  }
};

/** Bottle, flask or thermos: a tall rounded body, a neck and a cap. */
const bottle: Draw = (view, paint) => {
  const half = [88, 110, 76][paint.variant] ?? 88;
  const shoulder = [360, 400, 330][paint.variant] ?? 360;
  const outline = `M ${512 - half} 840 L ${512 - half} ${shoulder + 60} Q ${512 - half} ${shoulder} 470 ${shoulder - 20} L 470 ${shoulder - 60} L 554 ${shoulder - 60} L 554 ${shoulder - 20} Q ${512 + half} ${shoulder} ${512 + half} ${shoulder + 60} L ${512 + half} 840 Z`;
  const standing = () => [
    shape(paint, outline, paint.body),
    box(paint, 462, shoulder - 140, 100, 90, 16, paint.accent),
  ];
  switch (view) {
    case 'front':
      return [
        ...standing(),
        ...when(paint.detail >= 1, () => [box(paint, 512 - half, 600, 2 * half, 110, 4, paint.accent)]),
        ...when(paint.detail >= 2, () =>
          [0, 1, 2].map((index) =>
            line(paint, 512 - half + 20, 760 + index * 22, 512 + half - 20, 760 + index * 22, paint.deep, 6),
          ),
        ),
      ];
    case 'back':
      return [
        ...standing(),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half * 0.6, 650, half * 1.2, 120, 10, paint.light),
        ]),
      ];
    case 'side':
      return [
        ...standing(),
        ...bar(
          paint,
          `M 562 ${shoulder - 120} Q 640 ${shoulder - 120} 600 ${shoulder - 60}`,
          14,
          paint.accent,
        ),
        ...when(paint.detail >= 1, () => [box(paint, 512 - half, 600, 2 * half, 110, 4, paint.accent)]),
      ];
    case 'top':
      return [
        oval(paint, 512, 530, half + 40, half + 40, paint.body),
        oval(paint, 512, 530, 58, 58, paint.accent),
        ...when(paint.detail >= 1, () => [oval(paint, 512, 530, 26, 26, paint.light)]),
      ];
    case 'bottom':
      return [
        oval(paint, 512, 530, half + 40, half + 40, paint.body),
        oval(paint, 512, 530, half + 10, half + 10, paint.deep),
        ...when(paint.detail >= 1, () => [oval(paint, 512, 530, half - 30, half - 30, paint.light, false)]),
      ];
  }
};

const mug: Draw = (view, paint) => {
  const half = [170, 150, 190][paint.variant] ?? 170;
  const height = [420, 440, 400][paint.variant] ?? 420;
  const top = 840 - height;
  const upright = (handle: boolean) => [
    ...when(handle, () =>
      bar(
        paint,
        `M ${512 + half - 10} ${top + 60} Q ${600 + half} ${top + 60} ${600 + half} ${top + height / 2} Q ${600 + half} ${top + height - 60} ${512 + half - 10} ${top + height - 60}`,
        30,
        paint.accent,
      ),
    ),
    box(paint, 512 - half, top, 2 * half, height, 30, paint.body),
    box(paint, 512 - half, top, 2 * half, 26, 10, paint.light),
  ];
  switch (view) {
    case 'front':
      return [
        ...upright(true),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half, top + height - 70, 2 * half, 34, 4, paint.accent),
        ]),
        ...when(paint.detail >= 2, () => [oval(paint, 470, top + 110, 24, 24, paint.accent)]),
      ];
    case 'back':
      return [
        ...mirrored(upright(true)),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half, top + height - 70, 2 * half, 34, 4, paint.accent),
        ]),
      ];
    case 'side':
      return [...upright(false), box(paint, 494, top + 60, 36, height - 120, 18, paint.accent)];
    case 'top':
    case 'bottom':
      return [
        box(paint, 512 + half - 20, 505, 120, 50, 25, paint.accent),
        oval(paint, 512, 530, half, half, paint.body),
        view === 'top'
          ? oval(paint, 512, 530, half - 24, half - 24, tint(paint.outline, -0.4))
          : oval(paint, 512, 530, half - 30, half - 30, paint.accent),
      ];
  }
};

/** Chair or stool: a seat on four legs with a backrest; variant 1 has armrests, variant 2 sits low and wide. */
const chair: Draw = (view, paint) => {
  const seatY = [560, 560, 620][paint.variant] ?? 560;
  const half = [170, 180, 210][paint.variant] ?? 170;
  const backTop = [230, 250, 320][paint.variant] ?? 230;
  const arms = paint.variant === 1;
  const legs = (xs: number[], colour: string, from: number) =>
    xs.map((x) => box(paint, x - 14, from, 28, 850 - from, 8, colour));
  switch (view) {
    case 'front':
      return [
        ...legs([512 - half + 40, 512 + half - 40], paint.deep, seatY),
        box(paint, 512 - half + 20, backTop, 2 * half - 40, seatY - backTop, 30, paint.body),
        ...when(paint.detail >= 2, () =>
          [0, 1, 2].map((i) =>
            box(paint, 512 - half + 70, backTop + 50 + i * 60, 2 * half - 140, 24, 12, paint.light),
          ),
        ),
        shape(
          paint,
          `M ${512 - half + 10} ${seatY} L ${512 + half - 10} ${seatY} L ${512 + half + 10} ${seatY + 50} L ${512 - half - 10} ${seatY + 50} Z`,
          paint.light,
        ),
        box(paint, 512 - half - 10, seatY + 50, 2 * half + 20, 40, 12, paint.body),
        ...legs([512 - half + 10, 512 + half - 10], paint.deep, seatY + 90),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half + 30, seatY + 8, 2 * half - 60, 36, 16, paint.accent),
        ]),
        ...when(arms, () => [
          box(paint, 512 - half - 30, seatY - 110, 40, 150, 14, paint.deep),
          box(paint, 512 + half - 10, seatY - 110, 40, 150, 14, paint.deep),
        ]),
      ];
    case 'back':
      return [
        ...legs([512 - half + 10, 512 + half - 10], paint.deep, seatY + 60),
        box(paint, 512 - half - 10, seatY + 40, 2 * half + 20, 40, 12, paint.body),
        box(paint, 512 - half + 20, backTop, 2 * half - 40, seatY - backTop + 50, 30, paint.body),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half + 60, seatY - 40, 2 * half - 120, 26, 12, paint.accent),
        ]),
        ...when(arms, () => [
          box(paint, 512 - half - 30, seatY - 110, 40, 150, 14, paint.deep),
          box(paint, 512 + half - 10, seatY - 110, 40, 150, 14, paint.deep),
        ]),
      ];
    case 'side': {
      const depth = half * 1.7;
      const left = 512 - depth / 2;
      return [
        ...legs([left + 30, left + depth - 30], paint.deep, seatY + 40),
        shape(
          paint,
          `M ${left + depth - 50} ${seatY} L ${left + depth + 10} ${backTop} L ${left + depth + 60} ${backTop + 10} L ${left + depth + 10} ${seatY + 40} Z`,
          paint.body,
        ),
        box(paint, left, seatY, depth + 10, 50, 14, paint.body),
        ...when(paint.detail >= 1, () => [
          box(paint, left + 20, seatY - 20, depth - 60, 26, 12, paint.accent),
        ]),
        ...when(arms, () => [box(paint, left + 20, seatY - 110, depth - 40, 30, 14, paint.deep)]),
      ];
    }
    case 'top':
      return [
        box(paint, 512 - half - 10, 380, 2 * half + 20, 2 * half, 30, paint.body),
        box(paint, 512 - half + 10, 340, 2 * half - 20, 60, 20, paint.deep),
        ...when(paint.detail >= 1, () => [
          box(paint, 512 - half + 30, 430, 2 * half - 60, 2 * half - 80, 30, paint.accent),
        ]),
        ...when(arms, () => [
          box(paint, 512 - half - 50, 400, 40, 2 * half - 40, 14, paint.deep),
          box(paint, 512 + half + 10, 400, 40, 2 * half - 40, 14, paint.deep),
        ]),
      ];
    case 'bottom': {
      const corners = [
        [512 - half + 30, 420],
        [512 + half - 30, 420],
        [512 - half + 30, 360 + 2 * half],
        [512 + half - 30, 360 + 2 * half],
      ] as const;
      return [
        box(paint, 512 - half - 10, 380, 2 * half + 20, 2 * half, 30, paint.body),
        ...when(paint.detail >= 1, () => [
          line(paint, corners[0][0], corners[0][1], corners[3][0], corners[3][1], paint.deep, 14),
          line(paint, corners[1][0], corners[1][1], corners[2][0], corners[2][1], paint.deep, 14),
        ]),
        ...corners.map(([x, y]) => oval(paint, x, y, 22, 22, paint.accent)),
      ];
    }
  }
};

/** Desk lamp: a weighted base, an arm and a shade (cone, dome or drum). */
const lamp: Draw = (view, paint) => {
  const shadeTop = 300;
  const shade = (cx: number, cy: number) => {
    switch (paint.variant) {
      case 1:
        return shape(
          paint,
          `M ${cx - 130} ${cy + 110} Q ${cx - 130} ${cy - 10} ${cx} ${cy - 10} Q ${cx + 130} ${cy - 10} ${cx + 130} ${cy + 110} Z`,
          paint.body,
        );
      case 2:
        return box(paint, cx - 100, cy, 200, 130, 10, paint.body);
      default:
        return shape(
          paint,
          `M ${cx - 60} ${cy} L ${cx + 60} ${cy} L ${cx + 140} ${cy + 120} L ${cx - 140} ${cy + 120} Z`,
          paint.body,
        );
    }
  };
  const base = (cy: number) => [
    oval(paint, 512, cy, 150, 34, paint.deep),
    box(paint, 382, cy - 40, 260, 40, 18, paint.body),
  ];
  switch (view) {
    case 'front':
    case 'back':
      return [
        ...base(830),
        ...bar(paint, `M 512 790 L 512 ${shadeTop + 110}`, 20, paint.deep),
        oval(paint, 512, 600, 22, 22, paint.accent),
        ...when(view === 'front' && paint.detail >= 1, () => [
          oval(paint, 512, shadeTop + 135, 70, 30, '#fff4b8', false),
        ]),
        shade(512, shadeTop),
        ...when(paint.detail >= 1, () => [oval(paint, 512, shadeTop - 8, 14, 14, paint.accent)]),
        ...when(view === 'front' && paint.detail >= 2, () => [box(paint, 590, 800, 30, 16, 6, paint.accent)]),
        ...when(view === 'back' && paint.detail >= 1, () =>
          bar(paint, 'M 640 820 Q 720 830 780 850', 8, paint.outline),
        ),
      ];
    case 'side':
      return [
        ...base(830),
        ...bar(paint, 'M 512 790 L 450 560 L 620 380', 20, paint.deep),
        oval(paint, 450, 560, 22, 22, paint.accent),
        `<g transform="rotate(28 640 370)">`,
        shade(640, 320),
        '</g>',
        ...when(paint.detail >= 1, () => [oval(paint, 620, 380, 16, 16, paint.accent)]),
      ];
    case 'top':
      return [
        oval(paint, 512, 560, 150, 150, paint.deep),
        oval(paint, 512, 520, 140, 140, paint.body),
        oval(paint, 512, 520, paint.variant === 0 ? 60 : 30, paint.variant === 0 ? 60 : 30, paint.light),
        ...when(paint.detail >= 1, () => [oval(paint, 512, 520, 14, 14, paint.accent)]),
      ];
    case 'bottom':
      return [
        oval(paint, 512, 530, 150, 150, paint.body),
        oval(paint, 512, 530, 120, 120, tint(paint.accent, 0.5)),
        ...[0, 1, 2, 3].map((index) => {
          const angle = Math.PI / 4 + (index * Math.PI) / 2;
          return oval(
            paint,
            512 + Math.cos(angle) * 128,
            530 + Math.sin(angle) * 128,
            14,
            14,
            paint.outline,
            false,
          );
        }),
        ...when(paint.detail >= 1, () => bar(paint, 'M 512 530 L 512 700', 10, paint.outline)),
      ];
  }
};

/** Shoe: drawn in profile (the catalogue "front"), toe to the left; variant 1 is a high-top. */
const shoe: Draw = (view, paint) => {
  const collar = [600, 430, 640][paint.variant] ?? 600;
  const upper = `M 250 770 L 250 700 Q 262 630 360 612 L 520 ${collar + 10} Q 560 ${collar - 30} 620 ${collar - 40} L 740 ${collar - 50} Q 790 ${collar - 50} 790 ${collar + 20} L 790 770 Z`;
  const profile = () => [
    shape(paint, upper, paint.body),
    box(paint, 236, 760, 570, 60, 28, paint.light),
    box(paint, 236, 800, 570, 24, 12, paint.deep),
    ...when(paint.detail >= 1, () => [
      shape(paint, 'M 360 720 Q 520 700 700 640 L 700 680 Q 520 740 380 750 Z', paint.accent),
    ]),
    ...when(paint.detail >= 2, () => [
      ...[0, 1, 2].map((i) =>
        line(paint, 440 + i * 40, 640 - i * 18, 470 + i * 40, 660 - i * 18, paint.outline, 6),
      ),
      box(paint, 770, collar - 70, 30, 90, 12, paint.accent),
    ]),
  ];
  switch (view) {
    case 'front':
      return profile();
    case 'side':
      return mirrored(profile());
    case 'back':
      return [
        shape(
          paint,
          `M 420 770 L 420 ${collar + 20} Q 420 ${collar - 50} 512 ${collar - 50} Q 604 ${collar - 50} 604 ${collar + 20} L 604 770 Z`,
          paint.body,
        ),
        box(paint, 400, 760, 224, 60, 24, paint.light),
        box(paint, 400, 800, 224, 24, 12, paint.deep),
        ...when(paint.detail >= 1, () => [box(paint, 490, collar - 70, 44, 120, 14, paint.accent)]),
      ];
    case 'top':
    case 'bottom': {
      const sole =
        'M 512 230 Q 630 230 630 400 Q 630 520 600 600 Q 590 700 600 760 Q 600 840 512 840 Q 424 840 424 760 Q 434 700 424 600 Q 394 520 394 400 Q 394 230 512 230 Z';
      if (view === 'bottom')
        return [
          shape(paint, sole, paint.deep),
          ...when(paint.detail >= 1, () =>
            [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
              line(paint, 440, 290 + i * 68, 584, 290 + i * 68, paint.accent, 12),
            ),
          ),
        ];
      return [
        shape(paint, sole, paint.light),
        shape(
          paint,
          'M 512 250 Q 610 250 610 400 Q 610 520 585 600 Q 575 690 580 760 Q 580 810 512 810 Q 444 810 444 760 Q 449 690 439 600 Q 414 520 414 400 Q 414 250 512 250 Z',
          paint.body,
        ),
        oval(paint, 512, 700, 56, 90, tint(paint.outline, -0.4)),
        ...when(paint.detail >= 1, () =>
          [0, 1, 2, 3].map((i) => line(paint, 470, 420 + i * 40, 554, 420 + i * 40, paint.accent, 10)),
        ),
      ];
    }
  }
};

/** The fallback: a phone, speaker or other box; its middle stays body-coloured. */
const slab: Draw = (view, paint) => {
  const width = [330, 420, 500][paint.variant] ?? 330;
  const height = [560, 460, 340][paint.variant] ?? 560;
  const left = 512 - width / 2;
  const top = 540 - height / 2;
  const depth = [90, 260, 160][paint.variant] ?? 90;
  switch (view) {
    case 'front':
      return [
        box(paint, left, top, width, height, 50, paint.body),
        ...when(paint.detail >= 1, () => [
          box(paint, left + 36, top + 30, width - 72, Math.min(90, height / 6), 18, paint.accent),
        ]),
        ...when(paint.detail >= 1 && paint.variant === 1, () => [oval(paint, 512, 560, 150, 150, 'none')]),
        ...when(paint.detail >= 2, () =>
          [0, 1, 2].map((i) =>
            oval(paint, left + width / 2 + (i - 1) * 70, top + height - 60, 20, 20, paint.accent),
          ),
        ),
      ];
    case 'back':
      return [
        box(paint, left, top, width, height, 50, paint.body),
        ...when(paint.detail >= 1, () => [box(paint, left + 40, top + 40, 110, 110, 30, paint.deep)]),
        ...when(paint.detail >= 2, () =>
          [0, 1, 2, 3].map((i) =>
            box(paint, left + 60, top + height - 180 + i * 32, width - 120, 12, 6, paint.deep, false),
          ),
        ),
        box(paint, 512 - 60, top + height - 60, 120, 30, 8, paint.accent),
      ];
    case 'side':
      return [
        box(paint, 512 - depth / 2, top, depth, height, Math.min(40, depth / 3), paint.body),
        ...when(paint.detail >= 1, () =>
          [0, 1].map((i) => box(paint, 512 + depth / 2 - 4, top + 90 + i * 80, 14, 50, 5, paint.accent)),
        ),
      ];
    case 'top':
    case 'bottom':
      return [
        box(paint, left, 530 - depth / 2, width, depth, Math.min(40, depth / 3), paint.body),
        view === 'top'
          ? box(paint, left + 40, 530 - 10, 80, 20, 10, paint.accent)
          : box(paint, 512 - 50, 530 - 12, 100, 24, 12, paint.deep),
        ...when(view === 'bottom' && paint.detail >= 1, () => [
          oval(paint, left + 40, 530, 12, 12, paint.outline, false),
          oval(paint, left + width - 40, 530, 12, 12, paint.outline, false),
        ]),
      ];
  }
};

const families: Record<OfflineFamily, Draw> = {
  headphones,
  kettle,
  bottle,
  mug,
  chair,
  lamp,
  shoe,
  box: slab,
};
