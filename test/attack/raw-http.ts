import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** Requests this run has sent, for the summary (the attack is meant to stay at a few hundred). */
export const requestCount = { sent: 0 };

export type RawResponse = { status: number; headers: IncomingHttpHeaders; body: string };

/**
 * One request with node:http, so that Host, the path and every header are sent exactly as given (fetch
 * sets Host itself and normalises paths). `url` gives the address; `path` overrides its path verbatim.
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: OutgoingHttpHeaders;
    body?: string;
    timeoutMs?: number;
  },
): Promise<RawResponse> {
  const target = new URL(url);
  requestCount.sent += 1;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path ?? `${target.pathname}${target.search}`,
        headers: options.headers,
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within the timeout`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** How a streamed request ended: the status if an answer came, else the socket error. */
export type StreamResult = { status: number | undefined; error: string | undefined; sentBytes: number };

/**
 * POSTs `totalBytes` in 64 KiB writes that wait for the socket (a body that really streams, as an attacker's
 * would), and stops writing once Facet answers. `chunked`: no Content-Length, so no size is declared.
 */
export function streamPost(
  url: string,
  options: { headers: OutgoingHttpHeaders; totalBytes: number; chunked: boolean },
): Promise<StreamResult> {
  const target = new URL(url);
  requestCount.sent += 1;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const headers = options.chunked
    ? { ...options.headers, 'transfer-encoding': 'chunked' }
    : { ...options.headers, 'content-length': String(options.totalBytes) };
  return new Promise((resolve) => {
    let status: number | undefined;
    let sentBytes = 0;
    // An object, so that the writing loop sees the callbacks' changes.
    const flow = { stopped: false };
    let settled = false;
    const finish = (error: string | undefined) => {
      flow.stopped = true;
      if (settled) return;
      settled = true;
      resolve({ status, error, sentBytes });
    };
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: target.pathname,
        headers,
        agent: false,
      },
      (res) => {
        status = res.statusCode;
        flow.stopped = true;
        res.resume();
        res.on('end', () => finish(undefined));
        res.on('error', () => finish(undefined));
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(status === undefined ? (error.code ?? error.message) : undefined),
    );
    req.on('close', () => finish(status === undefined ? 'closed without an answer' : undefined));
    void (async () => {
      while (sentBytes < options.totalBytes && !flow.stopped) {
        const size = Math.min(chunk.length, options.totalBytes - sentBytes);
        const flushed = req.write(size === chunk.length ? chunk : chunk.subarray(0, size));
        sentBytes += size;
        if (!flushed)
          await new Promise<void>((drained) => {
            const done = () => {
              req.off('drain', done);
              req.off('close', done);
              drained();
            };
            req.on('drain', done);
            req.on('close', done);
          });
      }
      if (!flow.stopped) req.end();
    })();
  });
}

/**
 * Sends the headers and part of a body, then nothing: how long until the server answers or closes, and
 * with what. Gives up (destroys the connection) after `giveUpMs`, or when `signal` aborts (a cleanup: a
 * server being closed waits for open requests, and Node no longer times them out once it is closing).
 */
export function slowBody(
  url: string,
  options: {
    headers: OutgoingHttpHeaders;
    declaredBytes: number;
    sentBytes: number;
    giveUpMs: number;
    signal: AbortSignal;
  },
): Promise<{ status: number | undefined; ms: number; closed: boolean }> {
  const target = new URL(url);
  requestCount.sent += 1;
  const started = Date.now();
  return new Promise((resolve) => {
    let status: number | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      resolve({ status, ms: Date.now() - started, closed });
      req.destroy();
    };
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: target.pathname,
        headers: { ...options.headers, 'content-length': String(options.declaredBytes) },
        agent: false,
      },
      (res) => {
        status = res.statusCode;
        res.resume();
        res.on('end', () => finish(true));
        res.on('error', () => finish(true));
      },
    );
    const giveUp = setTimeout(() => finish(false), options.giveUpMs);
    options.signal.addEventListener('abort', () => finish(false), { once: true });
    req.on('error', () => finish(true));
    req.on('close', () => finish(true));
    req.flushHeaders();
    req.write(Buffer.alloc(options.sentBytes, 'a'));
  });
}
