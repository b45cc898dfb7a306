import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OfflineFeatureExtractor } from '../../src/ai/offline/offline-feature-extractor.ts';
import { PermanentError } from '../../src/workflow/errors/permanent-error.ts';
import { productFeaturesSchema } from '../../src/workflow/product-features.ts';

const extractor = new OfflineFeatureExtractor();

function solid(width: number, height: number, background: string) {
  return sharp({ create: { width, height, channels: 3, background } });
}

async function redWithBlueStripe(): Promise<Buffer> {
  const stripe = await solid(200, 30, '#0000ff').png().toBuffer();
  return solid(200, 200, '#ff0000')
    .composite([{ input: stripe, top: 80, left: 0 }])
    .png()
    .toBuffer();
}

/** A deterministic noisy image: every pixel a different colour, to stress bucketing and tie-breaks. */
async function noisy(): Promise<Buffer> {
  const size = 97;
  const raw = Buffer.alloc(size * size * 3);
  for (let i = 0; i < raw.length; i += 1) raw[i] = (i * 7919 + (i >> 3) * 104729) % 256;
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

describe('OfflineFeatureExtractor', () => {
  it('is named offline', () => {
    expect(extractor.name).toBe('offline');
  });

  it('puts the dominant red first and finds the blue stripe', async () => {
    const features = (
      await extractor.extract({
        png: await redWithBlueStripe(),
        productDescription: 'a speaker',
      })
    ).features;
    expect(features.colors[0]).toMatchObject({ name: 'red', hex: '#ff0000' });
    expect(features.colors[0]!.usage).toMatch(/^dominant/);
    const blue = features.colors.find((color) => color.name === 'blue');
    expect(blue?.hex).toBe('#0000ff');
    expect(blue?.usage).toMatch(/^secondary/);
    expect(productFeaturesSchema.safeParse(features).success).toBe(true);
  });

  it('reads a near-black image as black', async () => {
    const png = await solid(64, 64, '#0c0c0e').png().toBuffer();
    const features = (await extractor.extract({ png, productDescription: 'a phone' })).features;
    expect(features.colors.map((color) => color.name)).toEqual(['black']);
  });

  it('ignores a white backdrop around the product', async () => {
    const product = await solid(40, 40, '#1f9e3a').png().toBuffer();
    const png = await solid(100, 100, '#ffffff')
      .composite([{ input: product, top: 30, left: 30 }])
      .png()
      .toBuffer();
    const features = (await extractor.extract({ png, productDescription: 'a mug' })).features;
    expect(features.colors.map((color) => color.name)).toEqual(['green']);
  });

  it('reports white when the product itself is white on white', async () => {
    const png = await solid(30, 30, '#fdfdfd').png().toBuffer();
    const features = (await extractor.extract({ png, productDescription: 'a mug' })).features;
    expect(features.colors[0]?.name).toBe('white');
  });

  it('reads materials and dimensions from the description', async () => {
    const png = await redWithBlueStripe();
    const features = (
      await extractor.extract({
        png,
        productDescription: 'Matte aluminium headphones with leather ear cushions and a folding hinge',
      })
    ).features;
    expect(features.materials).toEqual(['matte finish', 'aluminium', 'leather']);
    expect(features.dimensions).toEqual({ width: 18, height: 20, depth: 8, unit: 'cm' });
    expect(features.keyElements).toEqual(['headphones', 'ear', 'cushions', 'folding', 'hinge']);
    expect(features.description).toMatch(/^Headphones: /);
    expect(features.description).toContain('mostly red with blue accents');
  });

  it('uses the first product word for the size', async () => {
    const png = await redWithBlueStripe();
    const bottle = (
      await extractor.extract({
        png,
        productDescription: 'glass water bottle shaped like a lamp',
      })
    ).features;
    expect(bottle.dimensions).toEqual({ width: 7, height: 25, depth: 7, unit: 'cm' });
    expect(bottle.materials).toEqual(['glass']);
  });

  it('honours explicit dimensions in the description', async () => {
    const png = await redWithBlueStripe();
    const features = (
      await extractor.extract({ png, productDescription: 'a chair, 45 x 80.5 x 50 mm model' })
    ).features;
    expect(features.dimensions).toEqual({ width: 45, height: 80.5, depth: 50, unit: 'mm' });
  });

  it('falls back to a generic size and unspecified materials', async () => {
    const png = await redWithBlueStripe();
    const features = (await extractor.extract({ png, productDescription: 'a gizmo' })).features;
    expect(features.dimensions).toEqual({ width: 20, height: 20, depth: 10, unit: 'cm' });
    expect(features.materials).toEqual(['unspecified']);
    expect(features.keyElements).toEqual(['gizmo']);
  });

  it('is deterministic', async () => {
    const png = await noisy();
    const request = { png, productDescription: 'A walnut desk lamp with a brass arm and fabric shade' };
    const first = (await extractor.extract(request)).features;
    const second = (await new OfflineFeatureExtractor().extract({ ...request, png: Buffer.from(png) }))
      .features;
    expect(second).toEqual(first);
    expect(first.colors.length).toBeGreaterThan(1);
    expect(first.colors.length).toBeLessThanOrEqual(5);
  });

  it.each([
    ['a 1x1 image and an empty description', () => solid(1, 1, '#808080').png().toBuffer(), ''],
    [
      'a transparent image',
      () =>
        sharp({ create: { width: 5, height: 5, channels: 4, background: '#00000000' } })
          .png()
          .toBuffer(),
      '   ',
    ],
    ['punctuation only', () => solid(3, 2, '#ff00ff').png().toBuffer(), '!!! ??? 123'],
    [
      'an absurd description',
      () => noisy(),
      `${'supercalifragilistic'.repeat(20)} `.repeat(300) + ' 1e999 x 2 x 3 cm',
    ],
  ])('stays schema-valid for %s', async (_label, makePng, productDescription) => {
    const features = (await extractor.extract({ png: await makePng(), productDescription })).features;
    const parsed = productFeaturesSchema.safeParse(features);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(features.colors.length).toBeGreaterThan(0);
  });

  it('rejects bytes that are not an image as invalid input', async () => {
    await expect(
      extractor.extract({ png: Buffer.from('not a png at all'), productDescription: 'lamp' }),
    ).rejects.toSatisfy((error) => error instanceof PermanentError && error.kind === 'invalid_input');
  });
});
