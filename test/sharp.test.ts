import { describe, expect, it } from 'vitest';
import sharp from '../src/sharp.ts';

describe("sharp as Facet's modules import it", () => {
  it('keeps no results of past operations, even after drawing', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    await sharp(png).resize(32).png().toBuffer();
    await sharp(png).resize(32).png().toBuffer();
    expect(sharp.cache()).toMatchObject({
      memory: { current: 0, max: 0 },
      items: { current: 0, max: 0 },
    });
  });
});
