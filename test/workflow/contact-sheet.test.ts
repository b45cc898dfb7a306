import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { featuresBandLayout } from '../../src/workflow/contact-sheet-features.ts';
import {
  contactSheetGeometry,
  contactSheetLayout,
  contactSheetSvg,
  renderContactSheet,
  type ContactSheetView,
} from '../../src/workflow/contact-sheet.ts';
import type { ProductFeatures } from '../../src/workflow/product-features.ts';
import type { ViewName } from '../../src/workflow/views.ts';

type Rgb = [number, number, number];

const colours: Record<ViewName, Rgb> = {
  front: [220, 30, 30],
  back: [30, 160, 40],
  side: [30, 60, 220],
  top: [240, 200, 20],
  bottom: [200, 40, 200],
};

/** Wide inputs of different sizes, so fit-contain must letterbox them top and bottom. */
async function solid(view: ViewName, width: number, height: number): Promise<ContactSheetView> {
  const [r, g, b] = colours[view];
  const png = await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  return { view, png };
}

async function allViews(): Promise<ContactSheetView[]> {
  return Promise.all([
    solid('bottom', 300, 150),
    solid('front', 1024, 512),
    solid('back', 800, 400),
    solid('side', 64, 32),
    solid('top', 2000, 1000),
  ]);
}

async function decode(
  png: Buffer,
): Promise<{ width: number; height: number; pixel: (x: number, y: number) => Rgb }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    pixel: (x, y) => {
      const at = (y * info.width + x) * info.channels;
      return [data[at]!, data[at + 1]!, data[at + 2]!];
    },
  };
}

function close(actual: Rgb, expected: Rgb, tolerance = 6): boolean {
  return actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance);
}

function countDark(image: Awaited<ReturnType<typeof decode>>, x0: number, y0: number, w: number, h: number) {
  let dark = 0;
  for (let y = y0; y < y0 + h; y += 1) {
    for (let x = x0; x < x0 + w; x += 1) {
      const [r, g, b] = image.pixel(x, y);
      if (r + g + b < 300) dark += 1;
    }
  }
  return dark;
}

describe('renderContactSheet', () => {
  it('lays the five views out on a 3 x 2 grid of 512 px tiles, in canonical order', async () => {
    const sheet = await renderContactSheet(await allViews());
    const image = await decode(sheet);
    const geometry = contactSheetGeometry(false);
    expect(image.width).toBe(3 * 512 + 4 * 24);
    expect(image.height).toBe(2 * (512 + contactSheetLayout.labelHeight) + 3 * 24);
    expect([image.width, image.height]).toEqual([geometry.width, geometry.height]);
    expect((await sharp(sheet).metadata()).format).toBe('png');

    for (const { view, left, top, size } of geometry.tiles) {
      const centre = image.pixel(left + size / 2, top + size / 2);
      expect(close(centre, colours[view]), `${view} centre ${centre.join(',')}`).toBe(true);
      // A 2:1 input letterboxed into a square tile leaves white bands above and below.
      expect(close(image.pixel(left + size / 2, top + 10), [255, 255, 255]), `${view} band`).toBe(true);
      expect(close(image.pixel(left + size / 2, top + size - 10), [255, 255, 255]), `${view} band`).toBe(
        true,
      );
      expect(close(image.pixel(left + 5, top + size / 2), colours[view]), `${view} full width`).toBe(true);
    }
    expect(geometry.tiles.map((tile) => tile.view)).toEqual(['front', 'back', 'side', 'top', 'bottom']);
  });

  it('writes a label under every tile and leaves the unused cell empty', async () => {
    const image = await decode(await renderContactSheet(await allViews()));
    const { tile, labelHeight, gap } = contactSheetLayout;
    for (const { view, left, top, size } of contactSheetGeometry(false).tiles) {
      expect(countDark(image, left, top + size, size, labelHeight), view).toBeGreaterThan(20);
    }
    const emptyLeft = gap + 2 * (tile + gap);
    const emptyTop = gap + tile + labelHeight + gap;
    expect(countDark(image, emptyLeft, emptyTop, tile, tile + labelHeight)).toBe(0);
  });

  it('adds a title band only when a title is given', async () => {
    const views = await allViews();
    const plain = await decode(await renderContactSheet(views));
    const titled = await decode(await renderContactSheet(views, { title: 'Ergonomic kettle' }));
    expect(titled.height).toBe(plain.height + contactSheetLayout.titleHeight);
    expect(countDark(titled, 0, 0, titled.width, contactSheetLayout.titleHeight)).toBeGreaterThan(50);
    const front = contactSheetGeometry(true).tiles[0]!;
    expect(close(titled.pixel(front.left + 256, front.top + 256), colours.front)).toBe(true);
  });

  it('survives hostile titles: markup, entities, control characters, surrogates, huge lengths', async () => {
    const views = [await solid('front', 64, 32)];
    const titles = [
      '</text></svg><script>alert(1)</script>',
      'A & B <C> "D" \'E\' &amp; &#x0; &bogus;',
      `nul\u0000bell\u0007esc\u001b lone\uD800surrogate rtl\u202Eoverride`,
      ']]><!DOCTYPE x [<!ENTITY e "boom">]>&e;',
      'x'.repeat(100_000),
      '🚀'.repeat(500),
      '',
      '   \n\t  ',
    ];
    for (const title of titles) {
      const image = await decode(await renderContactSheet(views, { title }));
      expect(image.width, title.slice(0, 40)).toBe(contactSheetGeometry(false).width);
    }
    // Truncation keeps a very long title inside the sheet: the right margin stays free of text.
    const long = await decode(await renderContactSheet(views, { title: 'W'.repeat(10_000) }));
    expect(countDark(long, long.width - 24, 0, 24, contactSheetLayout.titleHeight)).toBe(0);
  });

  it('is deterministic and independent of input order', async () => {
    const views = await allViews();
    const first = await renderContactSheet(views, { title: 'Same' });
    const second = await renderContactSheet([...views].reverse(), { title: 'Same' });
    expect(first.equals(second)).toBe(true);
  });

  it('accepts transparent and tiny inputs, and marks a missing view', async () => {
    const transparent = await sharp({
      create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const image = await decode(await renderContactSheet([{ view: 'front', png: transparent }]));
    const front = contactSheetGeometry(false).tiles[0]!;
    expect(close(image.pixel(front.left + 256, front.top + 256), [255, 255, 255])).toBe(true);
    const back = contactSheetGeometry(false).tiles[1]!;
    // No tile: the sheet background shows through, but the cell is still labelled.
    expect(close(image.pixel(back.left + 256, back.top + 256), [244, 244, 245])).toBe(true);
    expect(
      countDark(image, back.left, back.top + back.size, back.size, contactSheetLayout.labelHeight),
    ).toBeGreaterThan(20);
  });

  it('refuses the same view twice and bytes that are not an image', async () => {
    const views = await allViews();
    await expect(renderContactSheet([...views, views[0]!])).rejects.toThrow(/given twice/);
    await expect(renderContactSheet([{ view: 'front', png: Buffer.from('not a png') }])).rejects.toThrow();
  });
});

describe('renderContactSheet: colours, materials and dimensions', () => {
  const features: ProductFeatures = {
    colors: [
      { hex: '#E7782C', name: 'bright orange', usage: 'accents' },
      { hex: '#1c1c1e', name: 'matte black', usage: 'body' },
      { hex: '#2f62d6', name: 'blue <script>', usage: 'buttons' },
    ],
    dimensions: { width: 18, height: 20.25, depth: 8, unit: 'cm' },
    materials: ['brushed aluminium', 'protein leather'],
    keyElements: ['headband'],
    description: 'Over-ear headphones',
  };

  it('writes every swatch with its name and hex code, the materials and the dimensions', () => {
    const geometry = contactSheetGeometry(false, true);
    const svg = contactSheetSvg(geometry, '', new Map(), features);
    for (const text of ['Colours', 'bright orange', '#e7782c', 'matte black', '#1c1c1e', '#2f62d6'])
      expect(svg).toContain(text);
    expect(svg).toContain('blue &lt;script&gt;');
    expect(svg).not.toContain('<script>');
    expect(svg).toMatch(/fill="#e7782c"/);
    expect(svg).toContain('brushed aluminium, protein leather');
    expect(svg).toContain('18 × 20.3 × 8 cm');
    expect(contactSheetSvg(contactSheetGeometry(false), '', new Map())).not.toContain('Colours');
  });

  it('draws the band under the five views, with each swatch in its colour', async () => {
    const views = await allViews();
    const plain = await decode(await renderContactSheet(views, { title: 'Headphones' }));
    const sheet = await decode(await renderContactSheet(views, { title: 'Headphones', features }));
    const geometry = contactSheetGeometry(true, true);
    expect([sheet.width, sheet.height]).toEqual([geometry.width, geometry.height]);
    expect(sheet.height).toBe(plain.height + featuresBandLayout.height + contactSheetLayout.gap);
    const band = geometry.features!;
    const lastTile = geometry.tiles.at(-1)!;
    expect(band.top).toBeGreaterThanOrEqual(lastTile.top + lastTile.size + contactSheetLayout.labelHeight);
    // Swatches: in a row from the band's left edge, one cell per colour (at least four cells).
    const cell = (band.width - 48) / 4;
    const { swatch } = featuresBandLayout;
    const expected: Rgb[] = [
      [0xe7, 0x78, 0x2c],
      [0x1c, 0x1c, 0x1e],
      [0x2f, 0x62, 0xd6],
    ];
    for (const [index, colour] of expected.entries()) {
      const x = Math.round(band.left + 24 + index * cell + swatch / 2);
      const y = Math.round(band.top + 16 + 34 + swatch / 2);
      expect(close(sheet.pixel(x, y), colour), `swatch ${index}`).toBe(true);
    }
    // Text beside the swatches and on the materials and dimensions lines.
    expect(countDark(sheet, band.left, band.top + 100, band.width, band.height - 100)).toBeGreaterThan(200);
    // The views are where they were.
    const front = geometry.tiles[0]!;
    expect(close(sheet.pixel(front.left + 256, front.top + 256), colours.front)).toBe(true);
  });

  it('leaves the band out when there are no features', async () => {
    const views = await allViews();
    const none = await renderContactSheet(views, { features: null });
    expect(none.equals(await renderContactSheet(views))).toBe(true);
  });
});
