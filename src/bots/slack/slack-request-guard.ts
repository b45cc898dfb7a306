import type { IncomingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse, type ParsedUrlQuery } from 'node:querystring';
import { readCappedBody } from '../../http/read-capped-body.ts';

/**
 * The largest body Facet reads from Slack. Slack's biggest payloads are view submissions and block
 * actions, which carry a whole modal or message (at most 100 / 50 blocks of at most 3,000 characters):
 * well under 1 MiB. Bolt's own limit is 4 MiB.
 */
export const slackBodyLimit = 1024 * 1024;

/** Slack's replay window, both ways: a request dated more than this from our clock is refused. */
const replayWindowSeconds = 5 * 60;

/**
 * Reads a request to /slack/events before Bolt does.
 * - Missing, malformed or stale signature headers, or a declared body over the limit, are refused before
 *   a byte of the body is read (an unsigned 4 MB body costs us nothing but the refusal).
 * - Bolt trusts that a body it can parse is an object: a signed `null` (as JSON, or as `payload=null`)
 *   makes its receiver throw where nobody catches it. Such bodies get a 400.
 * - Slack never repeats a form field; a repeated one would reach a listener as an array where a string is
 *   typed (a user id of `{"U1","UADM"}`), so a signed body repeating one gets a 400.
 * - `beforeBolt` may answer a signed form body itself (a create handed to the chat work queue).
 * Any other request is handed to Bolt already read (Bolt uses a buffered `rawBody` as is).
 */
export function guardSlackEvents(
  bolt: RequestListener,
  signingSecret: string,
  nowSeconds: () => number = () => Date.now() / 1000,
  /**
   * Sees a signed form body's fields before Bolt; true when it answered the request itself (Bolt then
   * never sees it).
   */
  beforeBolt?: (fields: ParsedUrlQuery, response: ServerResponse) => boolean,
): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'POST' || path !== '/slack/events') {
      bolt(request, response);
      return;
    }
    if (Number(request.headers['content-length'] ?? 0) > slackBodyLimit) return refuse(response, 413);
    const headers = signatureHeaders(request.headers, nowSeconds());
    if (!headers) return refuse(response, 401);
    void readCappedBody(request, slackBodyLimit).then(
      (body) => {
        if (body === 'too_large') return refuse(response, 413);
        if (!signedBySlack(signingSecret, headers, body)) return refuse(response, 401);
        const read = readSlackBody(body.toString(), request.headers['content-type']);
        if (read === 'malformed') return refuse(response, 400);
        if (read !== 'json' && beforeBolt?.(read, response)) return;
        Object.assign(request, { rawBody: body });
        try {
          bolt(request, response);
        } catch {
          refuse(response, 404);
        }
      },
      () => refuse(response, 400),
    );
  };
}

/** The signature headers as sent (the stamp as text: it is signed as written). */
type SignatureHeaders = { signature: string; stamp: string };

function signatureHeaders(headers: IncomingHttpHeaders, now: number): SignatureHeaders | undefined {
  const signature = headers['x-slack-signature'];
  const stamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature)) return undefined;
  if (typeof stamp !== 'string' || !/^\d{1,12}$/.test(stamp)) return undefined;
  if (Math.abs(now - Number(stamp)) > replayWindowSeconds) return undefined;
  return { signature, stamp };
}

/**
 * Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>`, compared in constant time. The headers are
 * already checked for form and age. Bolt's own check does the same with a slower comparison (two more
 * HMACs and random bytes per request), which a burst of commands pays for on the receiving loop.
 */
function signedBySlack(secret: string, headers: SignatureHeaders, body: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(`v0:${headers.stamp}:`).update(body).digest();
  const given = Buffer.from(headers.signature.slice(3), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * 'malformed' for a body Bolt would mishandle: a repeated form field, or a payload that is not an object.
 * Otherwise a form body's fields, or 'json' for a body that is not a form.
 */
function readSlackBody(text: string, contentType: string | undefined): ParsedUrlQuery | 'json' | 'malformed' {
  let parsed: unknown;
  if (contentType === 'application/x-www-form-urlencoded') {
    const fields = parse(text);
    if (Object.values(fields).some((value) => Array.isArray(value))) return 'malformed';
    const { payload } = fields;
    // A slash command or an ssl_check: plain fields, nothing more to look at.
    if (typeof payload !== 'string') return fields;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return fields; // Bolt answers what it cannot parse itself.
    }
    return typeof parsed === 'object' && parsed !== null ? fields : 'malformed';
  }
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'json';
  }
  return typeof parsed === 'object' && parsed !== null ? 'json' : 'malformed';
}

/**
 * A refusal that does not wait for the body: the connection closes after the answer, so an unread body
 * is never read into memory.
 */
function refuse(response: ServerResponse, status: number): void {
  if (response.headersSent) return;
  response.writeHead(status, { connection: 'close' }).end();
}
