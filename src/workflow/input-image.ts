import { createHash } from 'node:crypto';
import sharp from '../sharp.ts';

/** The largest image a design may start from, as received (before it is re-encoded). */
export const maxInputImageBytes = 10 * 1024 * 1024;
/** The longest side, in pixels, of an image a design may start from. */
export const maxInputImageSide = 4096;

export type InputImageFormat = 'png' | 'jpeg' | 'webp';

/** Why an image was not taken; the chat layer says it in words. */
export type InputImageRefusal =
  | { reason: 'empty' }
  | { reason: 'not_an_image' }
  | { reason: 'too_large'; bytes: number; max: number }
  | { reason: 'too_many_pixels'; width: number; height: number; max: number }
  | { reason: 'unreadable' }
  /** The platform's file could not be fetched (not found, expired, refused, another host). */
  | { reason: 'unavailable' };

/** An image a design may start from: re-encoded as PNG, with no metadata of the original left. */
export type InputImage = {
  png: Buffer;
  width: number;
  height: number;
  /** What the bytes were, as sniffed. */
  format: InputImageFormat;
  /** The image store key: by content, so the same picture sent twice is stored once. */
  key: string;
};

/**
 * The format the first bytes say, whatever a file's name or its claimed type says: the signatures of
 * PNG (89 50 4E 47 0D 0A 1A 0A), JPEG (FF D8 FF) and WebP (RIFF....WEBP).
 */
export function sniffImageFormat(bytes: Uint8Array): InputImageFormat | undefined {
  const at = (index: number, values: number[]) => values.every((value, i) => bytes[index + i] === value);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'webp';
  return undefined;
}

/** Where a design's input image is kept. */
export function inputImageKey(png: Buffer): string {
  return `inputs/${createHash('sha256').update(png).digest('hex')}.png`;
}

/**
 * Checks an image a person gave and re-encodes it: PNG, JPEG or WebP by its bytes, at most 10 MB and
 * 4,096 px a side. The re-encoded PNG is what is stored and sent on: it carries no metadata of the
 * original (location, camera), is upright (EXIF orientation applied), and a malformed file fails here
 * rather than at the model. Bytes beyond the limit are refused unread (the caller stops reading there).
 */
export async function prepareInputImage(bytes: Buffer): Promise<InputImage | InputImageRefusal> {
  if (bytes.length === 0) return { reason: 'empty' };
  if (bytes.length > maxInputImageBytes)
    return { reason: 'too_large', bytes: bytes.length, max: maxInputImageBytes };
  const format = sniffImageFormat(bytes);
  if (!format) return { reason: 'not_an_image' };
  try {
    // The header's size is checked before any pixel is decoded: a 50,000 px image is never inflated.
    const image = sharp(bytes, { failOn: 'error', limitInputPixels: maxInputImageSide * maxInputImageSide });
    const meta = await image.metadata();
    if (meta.format !== format) return { reason: 'unreadable' };
    const { width, height } = meta;
    if (!width || !height) return { reason: 'unreadable' };
    if (width > maxInputImageSide || height > maxInputImageSide)
      return { reason: 'too_many_pixels', width, height, max: maxInputImageSide };
    const { data, info } = await image
      .rotate()
      .png({ compressionLevel: 6 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, format, key: inputImageKey(data) };
  } catch {
    return { reason: 'unreadable' };
  }
}

export function isInputImageRefusal(value: InputImage | InputImageRefusal): value is InputImageRefusal {
  return 'reason' in value;
}
