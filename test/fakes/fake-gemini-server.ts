import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { z } from 'zod';

/**
 * A stand-in for the Gemini API (generativelanguage.googleapis.com) on 127.0.0.1, speaking the same JSON
 * so that tests drive the real @google/genai client. Each request takes the next scripted outcome, or
 * the default one when the script is empty.
 */
export type FakeGeminiOutcome =
  /** A text part then a PNG part, like the real image models (they usually say something first). */
  | { kind: 'image'; png?: Buffer }
  /** The image part is a JPEG (mimeType image/jpeg). */
  | { kind: 'jpeg' }
  /** The image part is a WebP (mimeType image/webp). */
  | { kind: 'webp' }
  /** An HTTP error with Google's error body; `message` may echo anything (e.g. to test redaction). */
  | { kind: 'status'; status: number; message?: string; reason?: string }
  /** promptFeedback.blockReason and no candidates: the prompt itself was refused. */
  | { kind: 'blocked'; reason?: string }
  /** A candidate without content that stopped for `reason` (IMAGE_SAFETY, PROHIBITED_CONTENT, ...). */
  | { kind: 'finish'; reason: string }
  /** A candidate whose only part is text (the model talked instead of drawing). */
  | { kind: 'text_only'; text?: string }
  /** HTTP 200 whose body is not JSON. */
  | { kind: 'malformed' }
  /** The socket is destroyed without an answer (a connection reset). */
  | { kind: 'reset' }
  /** Never answers; the request stays open until the client gives up or the server closes. */
  | { kind: 'hang' };

export type FakeGeminiImage = { mimeType: string; byteLength: number; sha256: string; data?: Buffer };

export type FakeGeminiRequest = {
  /** 0-based arrival order. */
  index: number;
  model: string;
  /** The x-goog-api-key header, or undefined when none was sent. */
  apiKey: string | undefined;
  /** Every text part of every content, in order. */
  texts: string[];
  /** Every inlineData part of every content, in order. */
  images: FakeGeminiImage[];
  generationConfig: Record<string, unknown> | undefined;
  outcome: FakeGeminiOutcome['kind'];
  receivedAt: number;
};

/** A delay in ms, or per request: a delay, or a promise the answer waits for (a test's gate). */
export type FakeGeminiLatency = number | ((request: FakeGeminiRequest) => number | Promise<void>);

export type FakeGeminiOptions = {
  /** What to do when the script is empty (default: an image). */
  defaultOutcome?: FakeGeminiOutcome;
  /** Milliseconds to wait before answering (default 0). */
  latencyMs?: FakeGeminiLatency;
  /** When set, any other key gets HTTP 400 API_KEY_INVALID, as the real API answers. */
  expectedApiKey?: string;
  /** Keep each reference image's bytes in `requests` (off by default: benchmarks send thousands). */
  keepImageData?: boolean;
  /** Answers without `usageMetadata` (a gateway may strip it). */
  withoutUsage?: boolean;
};

export type FakeGemini = {
  /** Pass as httpOptions.baseUrl. */
  url: string;
  /** Every request received so far, in arrival order (live array). */
  requests: FakeGeminiRequest[];
  /** Queue outcomes for the next requests, in order. */
  script(...outcomes: FakeGeminiOutcome[]): void;
  /**
   * Queue outcomes for the next requests whose text parts, joined by spaces, `match` (one view of many
   * running in parallel, say); these are used before the general script.
   */
  scriptFor(match: (text: string) => boolean, ...outcomes: FakeGeminiOutcome[]): void;
  setDefault(outcome: FakeGeminiOutcome): void;
  setLatency(latency: FakeGeminiLatency): void;
  /** Requests being handled now and the most ever handled at once (to check real parallelism). */
  stats(): { total: number; inFlight: number; maxInFlight: number };
  close(): Promise<void>;
};

const contentsSchema = z.object({
  contents: z
    .array(
      z.object({
        parts: z
          .array(
            z.object({
              text: z.string().optional(),
              inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  generationConfig: z.record(z.string(), z.unknown()).optional(),
});

const routePattern = /^\/v1beta\/models\/([^/:]+):generateContent$/;

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

// Encoding an image per request would dominate a 100-design benchmark; a small cycle of colours is enough
// to tell answers apart.
const paletteSize = 32;
const imageCache = new Map<string, Promise<string>>();

function cachedImage(format: 'png' | 'jpeg' | 'webp', index: number): Promise<string> {
  const slot = index % paletteSize;
  const key = `${format}:${slot}`;
  let image = imageCache.get(key);
  if (!image) {
    const background = { r: (slot * 53) % 256, g: (slot * 97 + 80) % 256, b: (slot * 151 + 160) % 256 };
    image = sharp({ create: { width: 64, height: 64, channels: 3, background } })
      .toFormat(format)
      .toBuffer()
      .then((buffer) => buffer.toString('base64'));
    imageCache.set(key, image);
  }
  return image;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

function errorBody(status: number, message: string, reason?: string): unknown {
  const error: Record<string, unknown> = { code: status, message, status: statusNames[status] ?? 'UNKNOWN' };
  if (reason) {
    error.details = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' },
    ];
  }
  return { error };
}

function usage(): unknown {
  return { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 };
}

async function imageResponse(model: string, index: number, format: 'png' | 'jpeg' | 'webp', png?: Buffer) {
  const data = png ? png.toString('base64') : await cachedImage(format, index);
  return {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { text: 'Here is the product view.' },
            { inlineData: { mimeType: `image/${format}`, data } },
          ],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: usage(),
    modelVersion: model,
    responseId: `fake-${index}`,
  };
}

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  // Usage is what the answer reports; `withoutUsage` answers as a gateway that strips it.
  const withUsage = (body: Record<string, unknown>) =>
    options.withoutUsage ? { ...body, usageMetadata: undefined } : body;
  const requests: FakeGeminiRequest[] = [];
  const queue: FakeGeminiOutcome[] = [];
  const targeted: { match: (text: string) => boolean; outcomes: FakeGeminiOutcome[] }[] = [];
  let defaultOutcome: FakeGeminiOutcome = options.defaultOutcome ?? { kind: 'image' };
  let latency: FakeGeminiLatency = options.latencyMs ?? 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();

  function wait(ms: number | Promise<void>, response: ServerResponse): Promise<void> {
    if (typeof ms !== 'number')
      return Promise.race([ms, new Promise<void>((resolve) => response.once('close', resolve))]);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
      // A client that gave up (timeout test) must not leave a timer behind.
      response.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      });
    });
  }

  async function answer(
    model: string,
    record: FakeGeminiRequest,
    outcome: FakeGeminiOutcome,
    response: ServerResponse,
  ) {
    switch (outcome.kind) {
      case 'image':
        return sendJson(
          response,
          200,
          withUsage(await imageResponse(model, record.index, 'png', outcome.png)),
        );
      case 'jpeg':
        return sendJson(response, 200, withUsage(await imageResponse(model, record.index, 'jpeg')));
      case 'webp':
        return sendJson(response, 200, withUsage(await imageResponse(model, record.index, 'webp')));
      case 'status':
        return sendJson(
          response,
          outcome.status,
          errorBody(outcome.status, outcome.message ?? `fake error ${outcome.status}`, outcome.reason),
        );
      case 'blocked':
        return sendJson(
          response,
          200,
          withUsage({
            promptFeedback: { blockReason: outcome.reason ?? 'SAFETY' },
            usageMetadata: usage(),
            modelVersion: model,
          }),
        );
      case 'finish':
        return sendJson(
          response,
          200,
          withUsage({
            candidates: [{ finishReason: outcome.reason, index: 0 }],
            usageMetadata: usage(),
            modelVersion: model,
          }),
        );
      case 'text_only':
        return sendJson(
          response,
          200,
          withUsage({
            candidates: [
              {
                content: {
                  role: 'model',
                  parts: [{ text: outcome.text ?? 'I can describe it, but not draw it.' }],
                },
                finishReason: 'STOP',
                index: 0,
              },
            ],
            usageMetadata: usage(),
            modelVersion: model,
          }),
        );
      case 'malformed':
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end('{"candidates": [');
      case 'reset':
        response.socket?.destroy();
        return;
      case 'hang':
        return;
    }
  }

  function nextTargeted(parts: { text?: string | undefined }[]): FakeGeminiOutcome | undefined {
    const text = parts.flatMap((part) => (part.text === undefined ? [] : [part.text])).join(' ');
    return targeted.find((entry) => entry.outcomes.length > 0 && entry.match(text))?.outcomes.shift();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const match = routePattern.exec(request.url ?? '');
    if (request.method !== 'POST' || !match?.[1]) {
      return sendJson(response, 404, errorBody(404, `no route for ${request.method} ${request.url}`));
    }
    const model = decodeURIComponent(match[1]);
    const parsed = contentsSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      return sendJson(response, 400, errorBody(400, 'Invalid JSON payload received.'));
    }
    const apiKeyHeader = request.headers['x-goog-api-key'];
    const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
    const parts = parsed.data.contents.flatMap((content) => content.parts);
    const keyRejected = options.expectedApiKey !== undefined && apiKey !== options.expectedApiKey;
    const outcome: FakeGeminiOutcome = keyRejected
      ? {
          kind: 'status',
          status: 400,
          message: 'API key not valid. Please pass a valid API key.',
          reason: 'API_KEY_INVALID',
        }
      : (nextTargeted(parts) ?? queue.shift() ?? defaultOutcome);
    const record: FakeGeminiRequest = {
      index: requests.length,
      model,
      apiKey,
      texts: parts.flatMap((part) => (part.text === undefined ? [] : [part.text])),
      images: parts.flatMap((part) => {
        if (!part.inlineData) return [];
        const bytes = Buffer.from(part.inlineData.data, 'base64');
        const image: FakeGeminiImage = {
          mimeType: part.inlineData.mimeType,
          byteLength: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        };
        if (options.keepImageData) image.data = bytes;
        return [image];
      }),
      generationConfig: parsed.data.generationConfig,
      outcome: outcome.kind,
      receivedAt: Date.now(),
    };
    requests.push(record);
    await wait(typeof latency === 'function' ? latency(record) : latency, response);
    if (response.destroyed) return;
    await answer(model, record, outcome, response);
  }

  const server = createServer((request, response) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => (inFlight -= 1));
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(500, `fake failed: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...outcomes) => queue.push(...outcomes),
    scriptFor: (match, ...outcomes) => targeted.push({ match, outcomes }),
    setDefault: (outcome) => (defaultOutcome = outcome),
    setLatency: (next) => (latency = next),
    stats: () => ({ total: requests.length, inFlight, maxInFlight }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Hanging requests and keep-alive sockets would otherwise keep close() waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
