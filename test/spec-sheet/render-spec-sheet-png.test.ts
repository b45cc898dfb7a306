import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  layoutSpecSheet,
  renderSpecSheetPng,
  specSheetPage,
  type SpecSheet,
} from '../../src/spec-sheet/index.ts';
import { specSheetSvg } from '../../src/spec-sheet/spec-sheet-svg.ts';
import { viewGrid } from '../../src/spec-sheet/views-layout.ts';
import { viewNames } from '../../src/workflow/views.ts';
import { hostileSheet, kettlePrompt, kettleSheet, offlineViews } from './spec-sheet-fixture.ts';

let views: SpecSheet['views'];
beforeAll(async () => {
  views = await offlineViews(kettlePrompt);
});

const width = 2000;
const height = Math.round((specSheetPage.height * width) / specSheetPage.width);

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return {
    data,
    info,
    at: (x: number, y: number) =>
      data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels),
  };
}

/** Pixels in the page's margins that are not the white background: text or tiles that overflowed. */
async function inkInMargins(png: Buffer): Promise<number> {
  const { info, at } = await pixels(png);
  // A little inside the margin, so that antialiasing of text that ends exactly on it does not count.
  const margin = Math.floor(specSheetPage.margin * (info.width / specSheetPage.width)) - 4;
  let ink = 0;
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++) {
      const inMargin = x < margin || x >= info.width - margin || y < margin || y >= info.height - margin;
      if (inMargin && Array.from(at(x, y)).some((channel) => channel < 250)) ink++;
    }
  return ink;
}

describe('renderSpecSheetPng', () => {
  it('is a 2000 px wide PNG of the page, well under chat upload limits', async () => {
    const png = await renderSpecSheetPng(kettleSheet(views));
    const metadata = await sharp(png).metadata();
    expect(metadata.format).toBe('png');
    expect({ width: metadata.width, height: metadata.height }).toEqual({ width, height });
    expect(png.length).toBeLessThan(2_000_000);
    expect(await inkInMargins(png)).toBe(0);
  });

  it('composites each view into its tile', async () => {
    const png = await renderSpecSheetPng(kettleSheet(views));
    const { at } = await pixels(png);
    const scale = width / specSheetPage.width;
    for (const element of layoutSpecSheet(kettleSheet(views)).elements) {
      if (element.kind !== 'view') continue;
      // The offline renderer's banner across the top of every view is near-black.
      const pixel = at(
        Math.round((element.x + element.size / 2) * scale),
        Math.round((element.y + 2) * scale),
      );
      expect(Math.max(...pixel)).toBeLessThan(80);
    }
  });

  it('draws hostile text escaped and inside the page', async () => {
    const svg = specSheetSvg(layoutSpecSheet(hostileSheet(views)), width);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const png = await renderSpecSheetPng(hostileSheet(views));
    expect((await sharp(png).metadata()).width).toBe(width);
    expect(await inkInMargins(png)).toBe(0);
  });

  it('stays under 8 MB even when every view is incompressible noise', async () => {
    const noise = await sharp(
      Buffer.from(Array.from({ length: 1024 * 1024 * 3 }, () => Math.floor(Math.random() * 256))),
      {
        raw: { width: 1024, height: 1024, channels: 3 },
      },
    )
      .png()
      .toBuffer();
    const noisy = Object.fromEntries(viewNames.map((view) => [view, noise]));
    const png = await renderSpecSheetPng(kettleSheet(noisy));
    expect(png.length).toBeLessThan(8_000_000);
  });

  it('renders without features and with missing views', async () => {
    const png = await renderSpecSheetPng(
      kettleSheet({ front: views.front }, { features: null, approval: null }),
    );
    const { info, at } = await pixels(png);
    expect(info.width).toBe(width);
    const scale = width / specSheetPage.width;
    // A missing view is a light grey tile, not a hole and not an image; the front is there.
    for (const view of ['back', 'side', 'top', 'bottom'] as const) {
      const slot = viewGrid.slots[view];
      expect(Array.from(at(Math.round((slot.x + 5) * scale), Math.round((slot.y + 5) * scale)))).toEqual([
        0xf4, 0xf4, 0xf5,
      ]);
    }
    const front = viewGrid.slots.front;
    expect(
      Math.max(...at(Math.round((front.x + front.size / 2) * scale), Math.round((front.y + 2) * scale))),
    ).toBeLessThan(80);
  });
});
