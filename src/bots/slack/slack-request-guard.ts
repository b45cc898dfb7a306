import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';

/** Bolt's own limit for a request body. */
const bodyLimit = 4 * 1024 * 1024;

/**
 * Reads a request to /slack/events before Bolt does. Bolt trusts that a body it can parse is an object:
 * a signed `null` (as JSON, or as `payload=null`) makes its receiver throw where nobody catches it, the
 * request is never answered and the process gets an unhandled rejection. Such bodies get a 400 here (a
 * 401 when not signed, as Bolt would answer); any other is handed to Bolt already read (Bolt uses a
 * buffered `rawBody` as is).
 */
export function guardSlackEvents(bolt: RequestListener, signingSecret: string): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'POST' || path !== '/slack/events') {
      bolt(request, response);
      return;
    }
    void readBody(request).then(
      (body) => {
        if (body === 'too_large') return answer(response, 413);
        if (parsesToNonObject(body, request.headers['content-type']))
          return answer(response, signedBySlack(request, body, signingSecret) ? 400 : 401);
        Object.assign(request, { rawBody: body });
        try {
          bolt(request, response);
        } catch {
          answer(response, 404);
        }
      },
      () => answer(response, 400),
    );
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimit) {
        request.removeAllListeners('data');
        request.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/** Parsed the way Bolt parses it; false when it does not parse (Bolt answers that itself). */
function parsesToNonObject(body: Buffer, contentType: string | undefined): boolean {
  try {
    const text = body.toString();
    let parsed: unknown;
    if (contentType === 'application/x-www-form-urlencoded') {
      const { payload } = parse(text);
      if (typeof payload !== 'string') return false;
      parsed = JSON.parse(payload);
    } else parsed = JSON.parse(text);
    return typeof parsed !== 'object' || parsed === null;
  } catch {
    return false;
  }
}

function signedBySlack(request: IncomingMessage, body: Buffer, signingSecret: string): boolean {
  const signature = request.headers['x-slack-signature'];
  const timestamp = Number(request.headers['x-slack-request-timestamp']);
  if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return false;
  return isValidSlackRequest({
    signingSecret,
    body: body.toString(),
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
  });
}

function answer(response: ServerResponse, status: number): void {
  if (!response.headersSent) response.writeHead(status).end();
}
