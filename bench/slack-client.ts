/*
 * The load generator of bench/slack.ts, in a process of its own so that sending requests and timing their
 * answers never waits on the server's event loop (and the server's work never delays the clock here).
 * Forked by bench/slack.ts; speaks over the IPC channel:
 *   parent → child: FireMessage (sign every body, then send them all at once, over warm keep-alive
 *                   connections or each on a new one)
 *   child → parent: FiredMessage (per request: HTTP status, ms from sending to the response headers)
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

export type SlackRequest = {
  /** Echoed back and sent as x-bench-tag, so the server side can match its own timing. */
  tag: string;
  /** application/x-www-form-urlencoded body, signed just before sending. */
  body: string;
};

export type FireMessage = {
  type: 'fire';
  id: number;
  endpoint: string;
  signingSecret: string;
  requests: SlackRequest[];
  /** Each request on a connection of its own, opened for it, instead of the warm keep-alive pool. */
  fresh?: boolean;
};

export type SlackResult = {
  tag: string;
  /** HTTP status, or 0 when the request failed without one. */
  status: number;
  /** performance.now() from writing the request to receiving the response headers (the ack). */
  ms: number;
  /** Date.now() when the request was sent (to compare with the fake Slack's call times). */
  sentAt: number;
  /** performance.timeOrigin + performance.now() when the request was written and when its answer came. */
  sentEpoch: number;
  ackEpoch: number;
  /** The response body, or the error message when status is 0. */
  text: string;
};

export type FiredMessage = { type: 'fired'; id: number; results: SlackResult[] };

// Enough sockets for every request of a burst to have its own connection: the client must not queue.
// Idle sockets are dropped after 4 s, before the server's 5 s keep-alive timeout can race a new request.
const agent = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512, timeout: 4000 });
const freshAgent = new Agent({ keepAlive: false, maxSockets: Infinity });

function signed(body: string, secret: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

function send(
  url: URL,
  via: Agent,
  tag: string,
  body: string,
  headers: Record<string, string>,
): Promise<SlackResult> {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    let t0 = 0;
    const req = request(
      url,
      {
        method: 'POST',
        agent: via,
        headers: {
          ...headers,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-bench-tag': tag,
        },
      },
      (res) => {
        const t1 = performance.now();
        const ms = t1 - t0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            tag,
            status: res.statusCode ?? 0,
            ms,
            sentAt,
            sentEpoch: performance.timeOrigin + t0,
            ackEpoch: performance.timeOrigin + t1,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', (error) => {
      const t1 = performance.now();
      resolve({
        tag,
        status: 0,
        ms: t1 - t0,
        sentAt,
        sentEpoch: performance.timeOrigin + t0,
        ackEpoch: performance.timeOrigin + t1,
        text: error.message,
      });
    });
    t0 = performance.now();
    req.end(body);
  });
}

async function fire(message: FireMessage): Promise<FiredMessage> {
  const url = new URL(message.endpoint);
  // Signing is the sender's work, done before the clock starts for any request.
  const prepared = message.requests.map((r) => ({ ...r, headers: signed(r.body, message.signingSecret) }));
  const results = await Promise.all(
    prepared.map((r) => send(url, message.fresh ? freshAgent : agent, r.tag, r.body, r.headers)),
  );
  return { type: 'fired', id: message.id, results };
}

process.on('message', (message: FireMessage) => {
  void fire(message).then((answer) => process.send?.(answer));
});
process.on('disconnect', () => {
  agent.destroy();
  freshAgent.destroy();
  process.exit(0);
});
