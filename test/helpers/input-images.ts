import sharp from 'sharp';

/** A small solid-colour image in the given format, for image-input tests. */
export function solidImage(
  format: 'png' | 'jpeg' | 'webp',
  options: { width?: number; height?: number; colour?: string; withExif?: boolean } = {},
): Promise<Buffer> {
  const image = sharp({
    create: {
      width: options.width ?? 64,
      height: options.height ?? 48,
      channels: 3,
      background: options.colour ?? '#c0392b',
    },
  });
  const withMeta = options.withExif
    ? image.withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'secret-artist' } })
    : image;
  return withMeta.toFormat(format).toBuffer();
}

/** Over 10 MB with a PNG signature in front: refused on size before anything decodes it. */
export function oversizedPng(megabytes = 12): Buffer {
  const bytes = Buffer.alloc(megabytes * 1024 * 1024, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

/** A text file, whatever it is named. */
export const textFile = Buffer.from('this is not an image, just text saved as sketch.png\n');
