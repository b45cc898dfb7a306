import type { InputImageSource, ReadBytes } from './input-image-source.ts';

/**
 * An image arriving as a stream (the playground's upload, the request's own body). Reading stops at the
 * limit without consuming the rest: whoever owns the stream closes it (for a request, with its connection).
 */
export function streamedImageSource(
  stream: AsyncIterable<Uint8Array>,
  /** The size the sender announced (Content-Length), if any. */
  totalBytes?: number,
): InputImageSource {
  return {
    declaredBytes: totalBytes,
    async read(maxBytes): Promise<ReadBytes> {
      // The iterator is advanced by hand: leaving a for-await early would destroy the stream (and, for a
      // request, the socket the answer has to go back on).
      const iterator = stream[Symbol.asyncIterator]();
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) break;
          chunks.push(next.value);
          size += next.value.byteLength;
          if (size > maxBytes)
            return {
              kind: 'read',
              bytes: Buffer.concat(chunks).subarray(0, maxBytes),
              truncated: true,
              totalBytes,
            };
        }
      } catch (error) {
        return { kind: 'unavailable', detail: error instanceof Error ? error.message : String(error) };
      }
      return { kind: 'read', bytes: Buffer.concat(chunks), truncated: false, totalBytes };
    },
  };
}
