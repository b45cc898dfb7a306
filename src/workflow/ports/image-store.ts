/**
 * Where every generated image is kept (our copy is the source of truth: chat platforms' URLs expire).
 * Keys are paths such as `designs/<id>/front-1.png`; writing a key twice is harmless (jobs may run twice).
 */
export interface ImageStore {
  readonly name: string;
  put(key: string, png: Buffer): Promise<void>;
  /** Throws ImageNotFoundError when the key was never written. */
  get(key: string): Promise<Buffer>;
  /** A URL anyone holding it can GET until it expires (signed or presigned), for chat platforms to fetch. */
  url(key: string, options?: { expiresInSeconds?: number }): Promise<string>;
}

export class ImageNotFoundError extends Error {
  override readonly name = 'ImageNotFoundError';

  constructor(readonly key: string) {
    super(`no image stored under ${key}`);
  }
}
