import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProductFeatures } from '../../src/workflow/product-features.ts';

/** What the next POST /v1/chat/completions answers; `latencyMs` overrides the server-wide latency. */
export type FakeOpenAIOutcome = (
  | { kind: 'features'; features?: ProductFeatures }
  | { kind: 'status'; status: number; message?: string }
  | { kind: 'refusal'; message?: string }
  | { kind: 'invalid_json' }
  | { kind: 'wrong_shape' }
  | { kind: 'hang' }
) & { latencyMs?: number };

export type FakeOpenAIRequest = {
  method: string;
  path: string;
  model: string | undefined;
  authorization: string | undefined;
  /** True when some message part carried a data:image/png;base64 URL. */
  hasImageDataUrl: boolean;
  responseFormat: unknown;
  body: unknown;
};

/** A delay in ms, or per request: a delay chosen from the request's raw body (a bench's latency spread). */
export type FakeOpenAILatency = number | ((rawBody: string) => number);

export type FakeOpenAIOptions = {
  latencyMs?: FakeOpenAILatency;
  defaultFeatures?: ProductFeatures;
  /** Answers without the `usage` block (some gateways and older servers leave it out). */
  withoutUsage?: boolean;
};

export type FakeOpenAI = {
  /** Base URL for the SDK's baseURL option; ends with /v1. */
  url: string;
  requests: FakeOpenAIRequest[];
  /** Queues outcomes for the next requests; when the queue is empty every request gets valid features. */
  script(...outcomes: FakeOpenAIOutcome[]): void;
  setLatency(latency: FakeOpenAILatency): void;
  close(): Promise<void>;
};

export const sampleFeatures: ProductFeatures = {
  colors: [
    { hex: '#1a1a1a', name: 'matte black', usage: 'dominant body colour' },
    { hex: '#c0c0c0', name: 'silver', usage: 'accent on the hinges' },
  ],
  dimensions: { width: 18, height: 20, depth: 8, unit: 'cm' },
  materials: ['matte plastic', 'aluminium'],
  keyElements: ['over-ear cups', 'padded headband'],
  description: 'Over-ear headphones in matte black with silver aluminium hinges and a padded headband.',
};

const ERROR_TYPES: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid image data.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached.' },
};

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const sendAnswer = (res: ServerResponse, body: Record<string, unknown>) =>
    sendJson(res, 200, options.withoutUsage ? { ...body, usage: undefined } : body);
  const requests: FakeOpenAIRequest[] = [];
  const queue: FakeOpenAIOutcome[] = [];
  const hanging = new Set<ServerResponse>();
  let latencyMs: FakeOpenAILatency = options.latencyMs ?? 0;
  let counter = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const record = isRecord(body) ? body : {};
    requests.push({
      method: req.method ?? '',
      path,
      model: typeof record['model'] === 'string' ? record['model'] : undefined,
      authorization: req.headers.authorization,
      hasImageDataUrl: raw.includes('data:image/png;base64,'),
      responseFormat: record['response_format'],
      body,
    });

    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `Unknown route ${path}`, type: 'invalid_request_error' } });
      return;
    }
    if (!isRecord(body)) {
      sendJson(res, 400, { error: { message: 'Body is not JSON.', type: 'invalid_request_error' } });
      return;
    }

    const outcome: FakeOpenAIOutcome = queue.shift() ?? { kind: 'features' };
    const delay = outcome.latencyMs ?? (typeof latencyMs === 'function' ? latencyMs(raw) : latencyMs);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    const model = typeof record['model'] === 'string' ? record['model'] : 'gpt-4o-mini';
    counter += 1;
    const id = `chatcmpl-fake${counter}`;
    res.setHeader('x-request-id', `req_fake_${counter}`);

    switch (outcome.kind) {
      case 'hang':
        // Never answers; close() ends the socket so the client sees a timeout or reset.
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      case 'status': {
        const known = ERROR_TYPES[outcome.status] ?? {
          type: outcome.status >= 500 ? 'server_error' : 'invalid_request_error',
          code: null,
          message: `Fake failure ${outcome.status}.`,
        };
        // A real 401 quotes (part of) the key it was given; quoting all of it makes leak tests strict.
        const keyEcho =
          outcome.status === 401
            ? ` You provided: ${(req.headers.authorization ?? '').replace(/^Bearer /, '')}.`
            : '';
        sendJson(res, outcome.status, {
          error: {
            message: (outcome.message ?? known.message) + keyEcho,
            type: known.type,
            param: null,
            code: known.code,
          },
        });
        return;
      }
      case 'refusal':
        sendJson(
          res,
          200,
          completion(id, model, null, outcome.message ?? "I'm sorry, I can't help with that."),
        );
        return;
      case 'invalid_json':
        sendJson(
          res,
          200,
          completion(id, model, '{"colors": [{"hex": "#ff0000", "name": "red"', null, 'length'),
        );
        return;
      case 'wrong_shape': {
        const wrong = { ...sampleFeatures, colors: [{ hex: 'blue', name: 'blue', usage: 'dominant' }] };
        sendAnswer(res, completion(id, model, JSON.stringify(wrong), null));
        return;
      }
      case 'features': {
        const features = outcome.features ?? options.defaultFeatures ?? sampleFeatures;
        sendAnswer(res, completion(id, model, JSON.stringify(features), null));
        return;
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...outcomes) => {
      queue.push(...outcomes);
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function completion(
  id: string,
  model: string,
  content: string | null,
  refusal: string | null,
  finishReason: 'stop' | 'length' = 'stop',
): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal, annotations: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: 850, completion_tokens: 120, total_tokens: 970 },
    system_fingerprint: 'fp_fake',
  };
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
