import {
  isInputImageRefusal,
  maxInputImageBytes,
  maxInputImageSide,
  prepareInputImage,
  type InputImage,
  type InputImageRefusal,
} from '../../workflow/input-image.ts';

/** What reading a platform's file gave: its first bytes, and whether more followed them. */
export type ReadBytes =
  | {
      kind: 'read';
      bytes: Buffer;
      /** More bytes followed the last one read: the file is larger than what was asked for. */
      truncated: boolean;
      /** The whole file's size where the host said it (Content-Length). */
      totalBytes?: number | undefined;
    }
  | { kind: 'unavailable'; detail: string };

/**
 * An image a person attached, as the platform fetches it from its own file host (never from a URL a
 * person typed): each platform builds one for its host and credentials (see hostBoundImageSource).
 */
export type InputImageSource = {
  /** The size the platform reported before anything was fetched (Discord's attachment size). */
  declaredBytes?: number | undefined;
  /** Reads at most `maxBytes` bytes: a larger file is never buffered whole. */
  read(maxBytes: number): Promise<ReadBytes>;
};

export type ReadInputImage =
  { ok: true; image: InputImage } | { ok: false; refusal: InputImageRefusal; detail?: string | undefined };

/**
 * Fetches and checks an input image: a file the platform says is over the limit is not fetched at all,
 * and at most one byte past the limit is read of any other.
 */
export async function readInputImage(source: InputImageSource): Promise<ReadInputImage> {
  const tooLarge = (bytes: number): ReadInputImage => ({
    ok: false,
    refusal: { reason: 'too_large', bytes, max: maxInputImageBytes },
  });
  if (source.declaredBytes !== undefined && source.declaredBytes > maxInputImageBytes)
    return tooLarge(source.declaredBytes);
  const read = await source.read(maxInputImageBytes + 1);
  if (read.kind === 'unavailable')
    return { ok: false, refusal: { reason: 'unavailable' }, detail: read.detail };
  if (read.truncated || read.bytes.length > maxInputImageBytes)
    return tooLarge(Math.max(read.totalBytes ?? 0, read.bytes.length));
  const prepared = await prepareInputImage(read.bytes);
  return isInputImageRefusal(prepared) ? { ok: false, refusal: prepared } : { ok: true, image: prepared };
}

const nothingDone = 'Nothing was started or charged.';

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What the person is told when their image was not taken, the same on every platform. */
export function inputImageRefusalMessage(refusal: InputImageRefusal): string {
  switch (refusal.reason) {
    case 'empty':
      return `That file is empty. ${nothingDone}`;
    case 'not_an_image':
      return `That file isn't a PNG, JPEG or WebP image. ${nothingDone}`;
    case 'too_large':
      return refusal.bytes > refusal.max + 1
        ? `That image is ${megabytes(refusal.bytes)}; the limit is ${megabytes(refusal.max).replace('.0', '')}. ${nothingDone}`
        : `That image is over the limit of ${megabytes(refusal.max).replace('.0', '')}. ${nothingDone}`;
    case 'too_many_pixels':
      return `That image is ${refusal.width} × ${refusal.height} px; the limit is ${maxInputImageSide.toLocaleString('en')} px a side. ${nothingDone}`;
    case 'unreadable':
      return `That image could not be read (it may be damaged or only partly uploaded). ${nothingDone}`;
    case 'unavailable':
      return `Facet could not fetch that image; attach it again and retry. ${nothingDone}`;
  }
}
