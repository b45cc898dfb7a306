import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { systemClock, type Clock } from '../../clock.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';

export type LocalImageStoreOptions = {
  dir: string;
  /** Origin of the app's own HTTP server as chat platforms reach it, e.g. `https://facet.example.com`. */
  publicUrl: string;
  /** Signs image URLs; anyone holding it can mint links to every image. */
  secret: Buffer | string;
  clock?: Clock;
};

/** Same ceiling as S3 presigning, so switching stores never changes how long links live. */
const defaultExpirySeconds = 7 * 24 * 60 * 60;
const routePrefix = '/images/';
// Segments may not start with '.', which rules out '..' and keeps temp files (dot-prefixed) out of the key space.
const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const maxKeyLength = 512;

export class InvalidImageKeyError extends Error {
  override readonly name = 'InvalidImageKeyError';

  constructor(readonly key: string) {
    super(`invalid image key ${JSON.stringify(key.slice(0, 100))}`);
  }
}

export function isValidImageKey(key: string): boolean {
  return key.length <= maxKeyLength && keyPattern.test(key);
}

/**
 * Creates the file, and its directory only when missing: a design's images share one directory, so a
 * mkdir before every write was a wasted system call for all but its first.
 */
async function openNew(file: string) {
  try {
    return await open(file, 'wx');
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    return open(file, 'wx');
  }
}

export class LocalImageStore implements ImageStore {
  readonly name = 'local';
  private readonly dir: string;
  private readonly publicUrl: string;
  private readonly secret: Buffer;
  private readonly clock: Clock;

  constructor(options: LocalImageStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.secret = Buffer.isBuffer(options.secret) ? options.secret : Buffer.from(options.secret, 'utf8');
    if (this.secret.length === 0) throw new Error('LocalImageStore needs a non-empty secret');
    this.clock = options.clock ?? systemClock;
  }

  async put(key: string, png: Buffer): Promise<void> {
    const target = this.pathOf(key);
    // Readers only ever see the old file or the complete new one: rename within a directory is atomic.
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
    try {
      const handle = await openNew(temp);
      try {
        await handle.writeFile(png);
        // Without fsync a power cut after the rename can still leave a zero-length file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissingFileError(error)) throw new ImageNotFoundError(key);
      throw error;
    }
  }

  url(key: string, options?: { expiresInSeconds?: number }): Promise<string> {
    // The executor turns an invalid key into a rejection rather than a synchronous throw.
    return new Promise((resolve) => {
      this.pathOf(key);
      const lifetime = Math.max(1, Math.floor(options?.expiresInSeconds ?? defaultExpirySeconds));
      const expires = this.nowSeconds() + lifetime;
      const signature = this.sign(key, expires).toString('hex');
      resolve(`${this.publicUrl}${routePrefix}${key}?expires=${expires}&sig=${signature}`);
    });
  }

  /** Checks a URL's signature and expiry; returns the seconds it stays valid, or undefined when refused. */
  verify(key: string, expires: string | null, sig: string | null): number | undefined {
    if (expires === null || sig === null || !/^[1-9]\d{0,11}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) {
      return undefined;
    }
    const expected = this.sign(key, Number(expires));
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return undefined;
    const remaining = Number(expires) - this.nowSeconds();
    return remaining > 0 ? remaining : undefined;
  }

  private sign(key: string, expires: number): Buffer {
    return createHmac('sha256', this.secret).update(`${key}\n${expires}`).digest();
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  private pathOf(key: string): string {
    if (!isValidImageKey(key)) throw new InvalidImageKeyError(key);
    const resolved = path.resolve(this.dir, key);
    // Belt and braces: the pattern already forbids escaping, this guards against a future edit to it.
    if (!resolved.startsWith(this.dir + path.sep)) throw new InvalidImageKeyError(key);
    return resolved;
  }
}

function isMissingFileError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // EISDIR/ENOTDIR: the key names a folder, or a path through a file; either way no image lives there.
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * Serves signed image URLs from the app's own HTTP server. Resolves false when the path is not
 * under /images/ so the caller can route the request elsewhere; otherwise it has answered.
 */
export async function handleImageRequest(
  store: LocalImageStore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const target = req.url ?? '/';
  if (!URL.canParse(target, 'http://localhost')) return false;
  const url = new URL(target, 'http://localhost');
  if (!url.pathname.startsWith(routePrefix)) return false;

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    return true;
  }
  // Keys never need escaping, so a percent sign can only come from a URL we did not issue.
  const key = url.pathname.slice(routePrefix.length);
  const remaining = isValidImageKey(key)
    ? store.verify(key, url.searchParams.get('expires'), url.searchParams.get('sig'))
    : undefined;
  // Signature before existence: otherwise an unsigned request could probe which designs exist.
  if (remaining === undefined) {
    sendText(res, 403, 'forbidden');
    return true;
  }

  let png: Buffer;
  try {
    png = await store.get(key);
  } catch (error) {
    if (error instanceof ImageNotFoundError) sendText(res, 404, 'not found');
    else sendText(res, 500, 'internal error');
    return true;
  }
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': png.length,
    // Caches must not keep serving the bytes after the link that fetched them has expired.
    'cache-control': `private, max-age=${remaining}`,
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : png);
  return true;
}

function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}
