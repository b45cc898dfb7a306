import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';

/** What an interactions endpoint answered to one signed POST. */
export type EndpointAnswer = {
  url: string;
  status: number;
  /** The response body as text ('' when there was none). */
  body: string;
  /** Milliseconds from sending the request to having the whole response (performance.now()). */
  ms: number;
};

export type SignedPostOptions = {
  /** Seconds since the epoch, as a string; default: now (Discord's clock is the wall clock). */
  timestamp?: string;
  /** Hex; default: the fake application's real signature over timestamp + body. */
  signature?: string;
  /** Default: the next endpoint in turn. */
  url?: string;
};

/**
 * Discord's side of HTTP interactions: the application's Ed25519 key pair (the Developer Portal's "Public
 * Key" is `publicKey`), and signed POSTs to the Interactions Endpoint URLs, round-robin over them as a
 * load balancer in front of several web processes would.
 */
export class FakeInteractionsEndpoint {
  /** The raw 32-byte public key as hex: what DISCORD_PUBLIC_KEY is set to. */
  readonly publicKey: string;
  private readonly privateKey: KeyObject;
  private urls: string[] = [];
  private turn = 0;
  // Discord keeps connections to an endpoint open; one pool that many requests at once can share.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor() {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  }

  /** Interactions go to these URLs from now on (in turn); an empty list goes back to the gateway. */
  use(urls: string[]): void {
    this.urls = [...urls];
  }

  get active(): boolean {
    return this.urls.length > 0;
  }

  sign(timestamp: string, body: string): string {
    return sign(null, Buffer.from(timestamp + body, 'utf8'), this.privateKey).toString('hex');
  }

  async post(body: string, options: SignedPostOptions = {}): Promise<EndpointAnswer> {
    const url = options.url ?? this.urls[this.turn++ % this.urls.length];
    if (url === undefined) throw new Error('fake Discord: no interactions endpoint (deliverInteractionsTo)');
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const started = performance.now();
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
      'x-signature-ed25519': options.signature ?? this.sign(timestamp, body),
      'x-signature-timestamp': timestamp,
    };
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const sent = request(url, { method: 'POST', headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.once('error', reject);
      });
      sent.once('error', reject);
      sent.end(body);
    });
    return { url, status, body: text, ms: performance.now() - started };
  }

  close(): void {
    this.agent.destroy();
  }
}
