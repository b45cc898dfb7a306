/*
 * A recording proxy in front of the fake Slack Web API (test/fakes/fake-slack-api.ts) for the chaos
 * soak. Facet's processes are given its URL as SLACK_API_URL; every call is passed to the fake and its
 * answer kept with it, so that each message's ts (which the fake mints) is known and the LAST content
 * of every message, card or thread status, as Slack would show it, can be compared with the database.
 * It also keeps what the simulated users see: ephemeral answers, response_url posts and opened modals.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlackBlock = Record<string, unknown>;

/** One message in the fake workspace: what was posted and what it shows now (its last accepted edit). */
export type RecordedMessage = {
  ts: string;
  channel: string;
  threadTs: string | undefined;
  /** Design ids named by the message's button ids when it was posted (cards). */
  designIds: string[];
  posted: { blocks: SlackBlock[]; text: string; seq: number };
  last: { blocks: SlackBlock[]; text: string; seq: number };
  updates: number;
  /** Every accepted version, in arrival order: when it arrived and what it said (for the reports). */
  history: { seq: number; at: number; text: string }[];
};

export type Ephemeral = { user: string; text: string; at: number };

const jsonFields = new Set(['blocks', 'view', 'attachments', 'metadata', 'files']);
const designIdPattern = /facet1:[a-z_]+:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseArgs(body: string, contentType: string): Record<string, unknown> {
  try {
    if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
    const args: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(body))
      args[key] = jsonFields.has(key) ? (JSON.parse(value) as unknown) : value;
    return args;
  } catch {
    return {};
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const blocksOf = (value: unknown): SlackBlock[] => (Array.isArray(value) ? (value as SlackBlock[]) : []);

export class SlackRecorder {
  readonly messages = new Map<string, RecordedMessage>();
  /** Design id → ts of every channel message (not in a thread) whose buttons named it when posted. */
  readonly cardsByDesign = new Map<string, Set<string>>();
  readonly ephemerals: Ephemeral[] = [];
  /** Bodies POSTed to response_url (respond(): usage errors, refusals of commands). */
  readonly responses: { trigger: string; body: Record<string, unknown> }[] = [];
  /** views.open by trigger_id: the Request changes modal a user is shown. */
  readonly views = new Map<string, { privateMetadata: string; callbackId: string }>();
  readonly callsByMethod = new Map<string, number>();
  /** Calls the fake did not answer ok, by method and error. */
  readonly refused = new Map<string, number>();
  /** Edits of a ts that no recorded post made (should not happen). */
  readonly unknownUpdates: string[] = [];
  lastCallAt = Date.now();
  private seq = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error: `proxy failed: ${String(error)}` }));
      });
    });
    // Facet's processes each keep a pool of keep-alive connections here.
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const body = raw.toString('utf8');
    const url = request.url ?? '';
    this.lastCallAt = Date.now();
    if (url.startsWith('/response/')) {
      try {
        this.responses.push({
          trigger: url.slice('/response/'.length),
          body: JSON.parse(body) as Record<string, unknown>,
        });
      } catch {
        this.responses.push({ trigger: url.slice('/response/'.length), body: { unparsed: body } });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${this.upstream}${url}`, {
      method: request.method ?? 'POST',
      headers,
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: raw }),
    });
    const answerText = await answer.text();
    const method = /^\/api\/([\w.]+)/.exec(url)?.[1];
    if (method) {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(answerText) as Record<string, unknown>;
      } catch {
        // not JSON: recorded as refused below
      }
      this.record(method, parseArgs(body, request.headers['content-type'] ?? ''), parsed);
    }
    const out: Record<string, string> = {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    };
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) out['retry-after'] = retryAfter;
    response.writeHead(answer.status, out).end(answerText);
  }

  private record(method: string, args: Record<string, unknown>, answer: Record<string, unknown>): void {
    this.callsByMethod.set(method, (this.callsByMethod.get(method) ?? 0) + 1);
    if (answer.ok !== true) {
      const key = `${method}: ${text(answer.error) || 'no answer'}`;
      this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
      return;
    }
    const seq = ++this.seq;
    const content = { blocks: blocksOf(args.blocks), text: text(args.text), seq };
    switch (method) {
      case 'chat.postMessage': {
        const ts = text(answer.ts);
        const threadTs = text(args.thread_ts) || undefined;
        const designIds = threadTs
          ? []
          : [...new Set([...JSON.stringify(content.blocks).matchAll(designIdPattern)].map((m) => m[1]!))];
        this.messages.set(ts, {
          ts,
          channel: text(args.channel),
          threadTs,
          designIds,
          posted: content,
          last: content,
          updates: 0,
          history: [{ seq, at: Date.now(), text: content.text }],
        });
        for (const id of designIds) {
          let cards = this.cardsByDesign.get(id);
          if (!cards) this.cardsByDesign.set(id, (cards = new Set()));
          cards.add(ts);
        }
        return;
      }
      case 'chat.update': {
        const ts = text(args.ts);
        const message = this.messages.get(ts);
        if (!message) {
          this.unknownUpdates.push(ts);
          return;
        }
        message.last = content;
        message.updates += 1;
        message.history.push({ seq, at: Date.now(), text: content.text });
        return;
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ user: text(args.user), text: text(args.text), at: Date.now() });
        return;
      case 'views.open': {
        const view = (args.view ?? {}) as Record<string, unknown>;
        this.views.set(text(args.trigger_id), {
          privateMetadata: text(view.private_metadata),
          callbackId: text(view.callback_id),
        });
        return;
      }
      default:
        return;
    }
  }

  /** The card of a design as a user sees it now: of its card messages, the one edited last. */
  latestCard(designId: string): RecordedMessage | undefined {
    let latest: RecordedMessage | undefined;
    for (const ts of this.cardsByDesign.get(designId) ?? []) {
      const message = this.messages.get(ts);
      if (message && (!latest || message.last.seq > latest.last.seq)) latest = message;
    }
    return latest;
  }

  /** Messages in the thread under `ts`. */
  thread(ts: string): RecordedMessage[] {
    return [...this.messages.values()].filter((message) => message.threadTs === ts);
  }
}

export type CardTone = 'working' | 'waiting' | 'done' | 'failed' | 'ended' | 'unknown';

const toneByIcon: [string, CardTone][] = [
  [':hourglass_flowing_sand:', 'working'],
  [':eyes:', 'waiting'],
  [':white_check_mark:', 'done'],
  [':warning:', 'failed'],
  [':no_entry_sign:', 'ended'],
];

/** What a card shows: its tone (from the status icon), its status line and the ids of its buttons. */
export function readCard(blocks: SlackBlock[]): { tone: CardTone; status: string; actionIds: string[] } {
  const statusBlock = blocks.find((block) => block.block_id === 'facet_status');
  const elements = (statusBlock?.elements ?? []) as { text?: string }[];
  const status = elements[0]?.text ?? '';
  const tone = toneByIcon.find(([icon]) => status.startsWith(icon))?.[1] ?? 'unknown';
  const actionIds = blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements ?? []) as { action_id?: string }[])
    .flatMap((element) => (element.action_id ? [element.action_id] : []));
  return { tone, status, actionIds };
}
