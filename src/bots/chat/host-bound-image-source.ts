import type { InputImageSource, ReadBytes } from './input-image-source.ts';

export type HostBoundImageOptions = {
  /** The file's URL as the platform's own payload gave it (never one a person typed). */
  url: string;
  /** The hosts (`URL.host`: name and any port) the platform serves its files from. */
  allowedHosts: readonly string[];
  /** Credentials for that host (Slack's bot token); sent to no other host. */
  headers?: Record<string, string> | undefined;
  /** The size the platform reported, if it did. */
  declaredBytes?: number | undefined;
  timeoutMs?: number | undefined;
};

const maxRedirects = 3;
const defaultTimeoutMs = 30_000;

/**
 * A file on a platform's own file host. Nothing is fetched from any other host: not the URL itself if
 * its host is not one of `allowedHosts`, and not a redirect that leaves them. The body is read only up
 * to the limit asked for, then the download is cancelled.
 */
export function hostBoundImageSource(options: HostBoundImageOptions): InputImageSource {
  return {
    declaredBytes: options.declaredBytes,
    read: (maxBytes) => readFromHost(options, maxBytes),
  };
}

/** Whether a URL is on one of the hosts, over http(s). */
export function isOnHost(url: string, hosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && hosts.includes(parsed.host);
}

async function readFromHost(options: HostBoundImageOptions, maxBytes: number): Promise<ReadBytes> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs);
  let url = options.url;
  try {
    for (let hop = 0; hop <= maxRedirects; hop += 1) {
      if (!isOnHost(url, options.allowedHosts))
        return { kind: 'unavailable', detail: `not a file host of the platform: ${safeHost(url)}` };
      const response = await fetch(url, {
        headers: options.headers ?? {},
        redirect: 'manual',
        signal,
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        url = new URL(location, url).toString();
        continue;
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        return { kind: 'unavailable', detail: `HTTP ${response.status}` };
      }
      return await readCapped(response.body, response.headers, maxBytes);
    }
    return { kind: 'unavailable', detail: 'too many redirects' };
  } catch (error) {
    return { kind: 'unavailable', detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The body's first `maxBytes` bytes; a larger body is cancelled as soon as that is known. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  headers: Headers,
  maxBytes: number,
): Promise<ReadBytes> {
  const length = Number(headers.get('content-length') ?? Number.NaN);
  const totalBytes = Number.isFinite(length) ? length : undefined;
  if (totalBytes !== undefined && totalBytes > maxBytes) {
    await body.cancel();
    return { kind: 'read', bytes: Buffer.alloc(0), truncated: true, totalBytes };
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return {
        kind: 'read',
        bytes: Buffer.concat(chunks).subarray(0, maxBytes),
        truncated: true,
        totalBytes,
      };
    }
  }
  return { kind: 'read', bytes: Buffer.concat(chunks), truncated: false, totalBytes };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}
