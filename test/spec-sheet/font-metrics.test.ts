import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { textWidth, type FontWeight } from '../../src/spec-sheet/font-metrics.ts';
import { escapeXml } from '../../src/text.ts';

/** Right edge of the ink sharp (librsvg with the system's DejaVu Sans) draws for `text` at 100 px from x = 20. */
async function inkRight(text: string, weight: FontWeight): Promise<number> {
  const width = 20 + Math.ceil(textWidth(text, 100, weight) * 1.5) + 40;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="160">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="20" y="110" font-size="100" font-family="'DejaVu Sans', sans-serif"` +
    `${weight === 'bold' ? ' font-weight="bold"' : ''} xml:space="preserve">${escapeXml(text)}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let right = 0;
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if ((data[y * info.width + x] ?? 255) < 200) right = Math.max(right, x + 1);
  return right;
}

describe('textWidth against what the PNG renderer draws', () => {
  it.each([
    ['regular', 'Wide WWMM mmmm and narrow iiiljt lines'],
    ['regular', '“Quotes” — 1234567890 € … ©®™ ÀÉÎÕÜ ß æœ'],
    ['bold', 'Wide WWMM mmmm and narrow iiiljt lines'],
    ['bold', 'APPROVED BY #9caf88 · KEY ELEMENTS'],
  ] as const)('never measures %s text narrower than DejaVu Sans draws it: %s', async (weight, text) => {
    const drawn = (await inkRight(text, weight)) - 20;
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThanOrEqual(textWidth(text, 100, weight) + 2);
  });
});
