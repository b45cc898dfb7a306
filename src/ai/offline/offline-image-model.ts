import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import sharp from 'sharp';
import { TransientError } from '../../workflow/errors/transient-error.ts';
import type { GeneratedImage, ImageModel, ImageRequest } from '../../workflow/ports/image-model.ts';
import type { ViewName } from '../../workflow/views.ts';

export type OfflineImageModelOptions = {
  /** Simulated model latency, so that local runs and load tests show realistic timing. */
  delayMs?: number;
};

const size = 1024;
const centre = size / 2;
const bodyCentreY = 540;
const planRadiusY = 190;
const fontFamily = 'DejaVu Sans, sans-serif';

// Colour words a description is likely to use, so that "a red kettle" looks red. Longer phrases win
// over the words inside them because the pattern tries them first.
const namedColours: Record<string, string> = {
  'matte black': '#1c1c1e',
  'jet black': '#111111',
  'space grey': '#4a4b4f',
  'space gray': '#4a4b4f',
  'navy blue': '#1f2f5c',
  'sky blue': '#6fb7e9',
  'forest green': '#2e5e3a',
  'rose gold': '#c9907f',
  'off white': '#ece8df',
  black: '#1f1f21',
  charcoal: '#36383c',
  graphite: '#44464b',
  white: '#f3f3f1',
  cream: '#efe6cf',
  beige: '#d8c6a3',
  grey: '#8a8d92',
  gray: '#8a8d92',
  silver: '#bfc3c8',
  gold: '#cfa64a',
  red: '#c62d2d',
  maroon: '#6e1f2a',
  orange: '#e7782c',
  yellow: '#efc93a',
  green: '#3f9a4e',
  olive: '#6d7238',
  teal: '#1f8a8a',
  cyan: '#35b8d0',
  blue: '#2f62d6',
  navy: '#1f2f5c',
  purple: '#7046b8',
  pink: '#e681ad',
  magenta: '#c2378f',
  brown: '#7a5234',
};
const colourPattern = new RegExp(
  `\\b(${Object.keys(namedColours)
    .sort((a, b) => b.length - a.length)
    .join('|')})\\b`,
  'i',
);

/**
 * Draws a labelled placeholder instead of calling an AI model, so that Facet runs end to end without a
 * Gemini key. The same description and view always give the same bytes; an edit (a request with
 * reference images) also depends on the prompt, so that each iteration looks different.
 */
export class OfflineImageModel implements ImageModel {
  readonly name = 'offline';
  private readonly delayMs: number;

  constructor(options: OfflineImageModelOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
  }

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    try {
      request.signal?.throwIfAborted();
      if (this.delayMs > 0) await delay(this.delayMs, undefined, { signal: request.signal });
    } catch (error) {
      throw new TransientError('offline model: request cancelled by the caller', { cause: error });
    }
    const svg = renderSvg(request);
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    return { png, model: 'offline' };
  }
}

type Palette = { body: string; accent: string; background: string };

type Shape = { widthFactor: number; radius: number; features: number };

function renderSvg(request: ImageRequest): string {
  const seed = digest(request.productDescription);
  const edit = request.references.length > 0 ? digest(request.prompt) : undefined;
  const palette = paletteFor(request.productDescription, seed, edit);
  const shape: Shape = {
    widthFactor: 0.85 + (byte(seed, 4) / 255) * 0.3,
    radius: 30 + (byte(seed, 5) % 70),
    features: 2 + ((byte(seed, 6) + (edit ? byte(edit, 1) : 0)) % 4),
  };
  const lines = excerptLines(request.productDescription);
  const editLabel = edit ? editBadgeText(request, edit) : undefined;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    `<defs><linearGradient id="sheen" x1="0" y1="0" x2="1" y2="0">`,
    `<stop offset="0" stop-color="#ffffff" stop-opacity="0.22"/>`,
    `<stop offset="0.42" stop-color="#ffffff" stop-opacity="0"/></linearGradient></defs>`,
    `<rect width="${size}" height="${size}" fill="${palette.background}"/>`,
    `<rect width="${size}" height="56" fill="#222222"/>`,
    text(centre, 38, 26, '#ffffff', 'OFFLINE PREVIEW · no AI model configured', 'bold'),
    text(centre, 140, 64, '#222222', request.view.toUpperCase(), 'bold'),
    shadow(request.view, shape),
    ...productShape(request.view, palette, shape),
    ...(editLabel ? editBadge(palette, editLabel) : []),
    ...lines.map((line, index) => text(centre, 920 + index * 40, 28, '#333333', line, 'normal')),
    `</svg>`,
  ].join('\n');
}

function productShape(view: ViewName, palette: Palette, shape: Shape): string[] {
  const { body, accent } = palette;
  const height = 540;
  const top = bodyCentreY - height / 2;
  const bottom = bodyCentreY + height / 2;
  switch (view) {
    case 'front':
    case 'back': {
      const width = 380 * shape.widthFactor;
      const left = centre - width / 2;
      const outline = roundedBody(left, top, width, height, shape.radius, body);
      if (view === 'front') {
        // Features stay away from the middle so the body colour dominates the centre of the image.
        const panel = rect(left + 40, top + 45, width - 80, 110, 18, accent);
        const spacing = (width - 120) / Math.max(1, shape.features - 1);
        const buttons = Array.from({ length: shape.features }, (_, index) =>
          circle(left + 60 + index * spacing, bottom - 70, 22, accent),
        );
        return [...outline, panel, ...buttons];
      }
      const vents = Array.from({ length: shape.features + 2 }, (_, index) =>
        rect(left + 50, top + 50 + index * 26, width - 100, 10, 5, shade(body)),
      );
      const label = rect(centre - 70, bottom - 110, 140, 60, 8, accent);
      return [...outline, ...vents, label, circle(centre, bottom - 150, 12, shade(body))];
    }
    case 'side': {
      const width = 150 * shape.widthFactor;
      const left = centre - width / 2;
      const buttons = Array.from({ length: shape.features }, (_, index) =>
        rect(left + width - 4, top + 80 + index * 60, 14, 40, 5, accent),
      );
      return [...roundedBody(left, top, width, height, Math.min(shape.radius, width / 3), body), ...buttons];
    }
    case 'top':
    case 'bottom': {
      const rx = 300 * shape.widthFactor;
      const ry = planRadiusY;
      const plan = [
        `<ellipse cx="${centre}" cy="${bodyCentreY}" rx="${rx}" ry="${ry}" fill="${body}"/>`,
        `<ellipse cx="${centre}" cy="${bodyCentreY}" rx="${rx}" ry="${ry}" fill="url(#sheen)"/>`,
      ];
      if (view === 'top') {
        const ring = `<ellipse cx="${centre}" cy="${bodyCentreY}" rx="${rx - 45}" ry="${ry - 45}" fill="none" stroke="${accent}" stroke-width="12"/>`;
        return [...plan, ring, circle(centre + rx - 90, bodyCentreY, 18, accent)];
      }
      const feet = Array.from({ length: shape.features + 2 }, (_, index) => {
        const angle = (index / (shape.features + 2)) * 2 * Math.PI + Math.PI / 4;
        return circle(
          centre + Math.cos(angle) * (rx - 55),
          bodyCentreY + Math.sin(angle) * (ry - 40),
          20,
          shade(body),
        );
      });
      return [...plan, ...feet, rect(centre - 80, bodyCentreY + 70, 160, 44, 8, accent)];
    }
  }
}

function shadow(view: ViewName, shape: Shape): string {
  // Plan views are seen from above, so their shadow hugs the outline instead of the floor line.
  const cy = view === 'top' || view === 'bottom' ? bodyCentreY + planRadiusY + 30 : 860;
  return `<ellipse cx="${centre}" cy="${cy}" rx="${260 * shape.widthFactor}" ry="22" fill="#000000" fill-opacity="0.12"/>`;
}

function editBadge(palette: Palette, label: string): string[] {
  return [
    `<rect x="${size - 290}" y="90" width="250" height="70" rx="35" fill="${palette.accent}" stroke="#222222" stroke-width="3"/>`,
    text(size - 165, 136, 30, '#111111', label, 'bold'),
  ];
}

function editBadgeText(request: ImageRequest, edit: Buffer): string {
  const kind = request.references.some((reference) => reference.role === 'previous_front') ? 'edit' : 'ref';
  return `${kind} ${edit.subarray(0, 2).toString('hex')}`;
}

function roundedBody(x: number, y: number, width: number, height: number, radius: number, fill: string) {
  return [rect(x, y, width, height, radius, fill), rect(x, y, width, height, radius, 'url(#sheen)')];
}

function rect(x: number, y: number, width: number, height: number, radius: number, fill: string): string {
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" rx="${radius.toFixed(1)}" fill="${fill}"/>`;
}

function circle(cx: number, cy: number, r: number, fill: string): string {
  return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r}" fill="${fill}"/>`;
}

function text(x: number, y: number, fontSize: number, fill: string, content: string, weight: string): string {
  return `<text x="${x}" y="${y}" font-family="${fontFamily}" font-size="${fontSize}" font-weight="${weight}" fill="${fill}" text-anchor="middle">${escapeXml(content)}</text>`;
}

function paletteFor(description: string, seed: Buffer, edit: Buffer | undefined): Palette {
  const hue = ((byte(seed, 0) << 8) | byte(seed, 1)) % 360;
  const named = colourPattern.exec(description)?.[1]?.toLowerCase();
  const body =
    (named && namedColours[named]) ?? hsl(hue, 50 + (byte(seed, 2) % 15), 38 + (byte(seed, 3) % 18));
  // An edit turns the accent round the colour wheel by an amount taken from the prompt.
  const shift = edit ? 40 + (byte(edit, 0) * 280) / 255 : 0;
  return {
    body,
    accent: hsl((hue + 150 + shift) % 360, 70, 58),
    background: hsl(hue, 22, 94),
  };
}

function excerptLines(description: string, width = 52, maxLines = 2): string[] {
  const graphemes = Array.from(
    new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(cleanText(description).slice(0, 400)),
    (segment) => segment.segment,
  );
  const lines: string[] = [];
  let rest = graphemes;
  while (rest.length > 0 && lines.length < maxLines) {
    let cut = rest.length <= width ? rest.length : rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = Math.min(width, rest.length);
    lines.push(rest.slice(0, cut).join('').trim());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest = rest.slice(1);
  }
  const last = lines.at(-1);
  if (rest.length > 0 && last !== undefined) {
    lines[lines.length - 1] = `${Array.from(last)
      .slice(0, width - 1)
      .join('')
      .trimEnd()}…`;
  }
  return lines.length > 0 ? lines : ['(no description)'];
}

/** Drops what XML 1.0 cannot hold at all (control characters, lone surrogates) and folds whitespace. */
function cleanText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function byte(bytes: Buffer, index: number): number {
  return bytes[index] ?? 0;
}

/** A darker version of a #rrggbb colour, for vents and feet that must read on any body colour. */
function shade(hex: string): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channels = [16, 8, 0].map((shift) => (value >> shift) & 0xff);
  const dark = channels.every((channel) => channel < 60);
  const adjusted = channels.map((channel) =>
    dark ? Math.min(255, channel + 45) : Math.round(channel * 0.7),
  );
  return `#${adjusted.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

function hsl(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const chroma = (1 - Math.abs(2 * l - 1)) * s;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round((l - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255);
  };
  return `#${[0, 8, 4].map((n) => channel(n).toString(16).padStart(2, '0')).join('')}`;
}
