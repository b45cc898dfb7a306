import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  inputImageKey,
  isInputImageRefusal,
  maxInputImageBytes,
  prepareInputImage,
  sniffImageFormat,
  type InputImage,
} from '../../src/workflow/input-image.ts';
import { oversizedPng, solidImage, textFile } from '../helpers/input-images.ts';

async function accepted(bytes: Buffer): Promise<InputImage> {
  const result = await prepareInputImage(bytes);
  if (isInputImageRefusal(result)) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
}

describe('prepareInputImage', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('takes a %s image and re-encodes it as a PNG', async (format) => {
    const image = await accepted(await solidImage(format, { width: 64, height: 48 }));
    expect(image.format).toBe(format);
    expect(sniffImageFormat(image.png)).toBe('png');
    expect(await sharp(image.png).metadata()).toMatchObject({ format: 'png', width: 64, height: 48 });
    expect(image.key).toBe(inputImageKey(image.png));
    expect(image.key).toMatch(/^inputs\/[0-9a-f]{64}\.png$/);
  });

  it('strips the metadata of the original', async () => {
    const original = await solidImage('jpeg', { withExif: true });
    expect(original.includes(Buffer.from('secret-owner'))).toBe(true);
    const image = await accepted(original);
    expect(image.png.includes(Buffer.from('secret-owner'))).toBe(false);
    expect((await sharp(image.png).metadata()).exif).toBeUndefined();
  });

  it('goes by the bytes, not by a name or a claimed type: text is not an image', async () => {
    expect(await prepareInputImage(textFile)).toEqual({ reason: 'not_an_image' });
    expect(await prepareInputImage(Buffer.alloc(0))).toEqual({ reason: 'empty' });
  });

  it('refuses a GIF and an SVG, which are images but not the ones taken', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    expect(await prepareInputImage(gif)).toEqual({ reason: 'not_an_image' });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    expect(await prepareInputImage(svg)).toEqual({ reason: 'not_an_image' });
  });

  it('refuses more than 10 MB before decoding anything', async () => {
    const bytes = oversizedPng(12);
    expect(await prepareInputImage(bytes)).toEqual({
      reason: 'too_large',
      bytes: bytes.length,
      max: maxInputImageBytes,
    });
  });

  it('refuses an image over 4,096 px on a side, by its header', async () => {
    const wide = await solidImage('png', { width: 5000, height: 8 });
    expect(await prepareInputImage(wide)).toEqual({
      reason: 'too_many_pixels',
      width: 5000,
      height: 8,
      max: 4096,
    });
    const edge = await accepted(await solidImage('png', { width: 4096, height: 4 }));
    expect(edge.width).toBe(4096);
  });

  it('refuses a truncated image whose signature is right', async () => {
    const png = await solidImage('png', { width: 300, height: 300 });
    expect(await prepareInputImage(png.subarray(0, 40))).toEqual({ reason: 'unreadable' });
  });
});
