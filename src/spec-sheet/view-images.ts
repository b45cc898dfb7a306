import sharp, { type Sharp } from '../sharp.ts';

const white = { r: 255, g: 255, b: 255 };

/**
 * A view shrunk to a square of `pixels` (letterboxed on white, transparency flattened) as JPEG: model
 * output is 1024 px PNG, several MB for five views, when the printed tile needs a few hundred pixels.
 */
export async function viewAsJpeg(image: Buffer, pixels: number): Promise<Buffer> {
  return squareView(image, pixels).jpeg({ quality: 85, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** The same square as raw RGB pixels, ready for sharp's composite without an encode and decode. */
export async function viewAsRawPixels(
  image: Buffer,
  pixels: number,
): Promise<{ data: Buffer; width: number; height: number; channels: 3 }> {
  const { data, info } = await squareView(image, pixels).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

function squareView(image: Buffer, pixels: number): Sharp {
  return sharp(image)
    .resize(pixels, pixels, { fit: 'contain', background: { ...white, alpha: 1 } })
    .flatten({ background: white })
    .removeAlpha();
}
