import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GeminiImageModel } from '../../src/ai/gemini/gemini-image-model.ts';
import { PermanentError } from '../../src/workflow/errors/permanent-error.ts';
import { TransientError } from '../../src/workflow/errors/transient-error.ts';
import type { ImageRequest } from '../../src/workflow/ports/image-model.ts';
import { startFakeGemini } from '../fakes/fake-gemini-server.ts';
import type { FakeGemini, FakeGeminiOutcome } from '../fakes/fake-gemini-server.ts';

const apiKey = 'AIzaFAKE-test-key-0123456789abcdef';
const model = 'gemini-2.5-flash-image';

let fake: FakeGemini;
let references: Buffer[];

beforeAll(async () => {
  fake = await startFakeGemini();
  references = await Promise.all(
    [10, 200].map((red) =>
      sharp({ create: { width: 32, height: 32, channels: 3, background: { r: red, g: 80, b: 40 } } })
        .png()
        .toBuffer(),
    ),
  );
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.setDefault({ kind: 'image' });
  fake.setLatency(0);
});

function makeModel(options: { timeoutMs?: number; key?: string } = {}): GeminiImageModel {
  return new GeminiImageModel({
    apiKey: options.key ?? apiKey,
    model,
    baseUrl: fake.url,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

function request(overrides: Partial<ImageRequest> = {}): ImageRequest {
  return {
    designId: 'design-1',
    view: 'front',
    prompt: 'A matte black smart speaker, front view, studio lighting',
    productDescription: 'matte black smart speaker',
    references: [],
    ...overrides,
  };
}

async function failureOf(outcome: FakeGeminiOutcome, options?: { timeoutMs?: number }): Promise<unknown> {
  fake.script(outcome);
  return makeModel(options)
    .generate(request())
    .then(
      () => expect.unreachable('generate should have failed'),
      (error: unknown) => error,
    );
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('GeminiImageModel against the fake Gemini API', () => {
  it('reports the model version and the token usage the answer names, and none when it names none', async () => {
    const answered = await makeModel().generate(request());
    expect(answered.model).toBe(model);
    expect(answered.usage).toEqual({ tokensIn: 12, tokensOut: 1290 });
    const bare = await startFakeGemini({ withoutUsage: true });
    try {
      const client = new GeminiImageModel({ apiKey, model, baseUrl: bare.url });
      expect(client.model).toBe(model);
      const unmetered = await client.generate(request());
      expect(unmetered.usage).toBeUndefined();
      expect(unmetered.png.length).toBeGreaterThan(0);
    } finally {
      await bare.close();
    }
  });

  it('returns a PNG and sends the prompt, every reference image and the API key', async () => {
    const before = fake.requests.length;
    const result = await makeModel().generate(
      request({
        view: 'back',
        prompt: 'Back view of the approved design',
        references: [
          { png: references[0]!, role: 'approved_front' },
          { png: references[1]!, role: 'previous_front' },
        ],
      }),
    );

    const metadata = await sharp(result.png).metadata();
    expect(metadata.format).toBe('png');
    expect(metadata.width).toBe(64);
    expect(result.model).toBe(model);

    expect(fake.requests.length).toBe(before + 1);
    const sent = fake.requests.at(-1)!;
    expect(sent.model).toBe(model);
    expect(sent.apiKey).toBe(apiKey);
    expect(sent.texts).toEqual(['Back view of the approved design']);
    expect(sent.images.map((image) => image.mimeType)).toEqual(['image/png', 'image/png']);
    expect(sent.images.map((image) => image.sha256)).toEqual(references.map(sha256));
    expect(sent.generationConfig?.responseModalities).toEqual(['IMAGE']);
  });

  it('sends no image part when there are no references', async () => {
    await makeModel().generate(request());
    expect(fake.requests.at(-1)!.images).toEqual([]);
  });

  it.each([['jpeg'], ['webp']] as const)('converts a %s answer to PNG', async (kind) => {
    fake.script({ kind });
    const result = await makeModel().generate(request());
    expect(result.png.subarray(0, 4).toString('hex')).toBe('89504e47');
    const metadata = await sharp(result.png).metadata();
    expect(metadata.format).toBe('png');
    expect(metadata.width).toBe(64);
  });

  it('returns the PNG the API sent, byte for byte', async () => {
    const png = references[1]!;
    fake.script({ kind: 'image', png });
    const result = await makeModel().generate(request());
    expect(result.png.equals(png)).toBe(true);
  });

  it.each([429, 500, 503])('classifies HTTP %i as transient', async (status) => {
    const error = await failureOf({ kind: 'status', status });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain(String(status));
  });

  it.each([
    [400, undefined, 'invalid_input'],
    [400, 'API_KEY_INVALID', 'not_configured'],
    [401, undefined, 'not_configured'],
    [403, undefined, 'not_configured'],
    [404, undefined, 'not_configured'],
  ] as const)('classifies HTTP %i (%s) as permanent %s', async (status, reason, kind) => {
    const error = await failureOf({ kind: 'status', status, ...(reason ? { reason } : {}) });
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).kind).toBe(kind);
  });

  it('classifies a blocked prompt as permanent "blocked" with a plain message', async () => {
    const error = await failureOf({ kind: 'blocked' });
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).kind).toBe('blocked');
    expect((error as PermanentError).userMessage).toMatch(/safety filters/);
    expect((error as PermanentError).userMessage).not.toMatch(/SAFETY|HTTP|\{/);
  });

  it.each(['SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY', 'BLOCKLIST', 'RECITATION'])(
    'classifies finishReason %s as blocked',
    async (reason) => {
      const error = await failureOf({ kind: 'finish', reason });
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).kind).toBe('blocked');
    },
  );

  it.each([
    [{ kind: 'text_only' }],
    [{ kind: 'finish', reason: 'NO_IMAGE' }],
    [{ kind: 'finish', reason: 'STOP' }],
  ] as const)('classifies an answer without an image (%j) as no_image', async (outcome) => {
    const error = await failureOf(outcome);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).kind).toBe('no_image');
  });

  it('classifies a dropped connection and an unreadable body as transient', async () => {
    expect(await failureOf({ kind: 'reset' })).toBeInstanceOf(TransientError);
    expect(await failureOf({ kind: 'malformed' })).toBeInstanceOf(TransientError);
  });

  it('gives up after timeoutMs with a TransientError', async () => {
    const started = Date.now();
    const error = await failureOf({ kind: 'hang' }, { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/300 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('treats a slow answer within the timeout as a success', async () => {
    fake.setLatency(150);
    const result = await makeModel({ timeoutMs: 5_000 }).generate(request());
    expect((await sharp(result.png).metadata()).format).toBe('png');
  });

  it('stops when the caller aborts, with a TransientError', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const pending = makeModel().generate(request({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/cancelled/);
  });

  it('does not retry inside the SDK (the job queue retries)', async () => {
    const before = fake.requests.length;
    await failureOf({ kind: 'status', status: 503 });
    expect(fake.requests.length).toBe(before + 1);
  });

  it('never puts the API key in an error, even when the server echoes it', async () => {
    const outcomes: FakeGeminiOutcome[] = [
      { kind: 'status', status: 400, message: `API key ${apiKey} not valid`, reason: 'API_KEY_INVALID' },
      { kind: 'status', status: 429, message: `quota exceeded for key ${apiKey}` },
      { kind: 'status', status: 403, message: `key ${apiKey} lacks permission` },
      { kind: 'text_only', text: `I will not draw. Your key is ${apiKey}` },
      { kind: 'reset' },
    ];
    for (const outcome of outcomes) {
      const error = await failureOf(outcome);
      expect(error).toBeInstanceOf(Error);
      const everything = inspect(error, { depth: 10 }) + JSON.stringify(error);
      expect(everything).not.toContain(apiKey);
      if (error instanceof PermanentError) expect(error.userMessage).not.toContain(apiKey);
    }
  });

  it('rejects a wrong key like the real API (400 API_KEY_INVALID -> not_configured)', async () => {
    const strict = await startFakeGemini({ expectedApiKey: apiKey });
    try {
      const wrong = new GeminiImageModel({ apiKey: 'AIzaWRONG', model, baseUrl: strict.url });
      const error = await wrong.generate(request()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).kind).toBe('not_configured');
      const right = new GeminiImageModel({ apiKey, model, baseUrl: strict.url });
      expect((await right.generate(request())).png.length).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });

  it('handles concurrent requests in parallel', async () => {
    const parallel = await startFakeGemini({ latencyMs: 200 });
    try {
      const client = new GeminiImageModel({ apiKey, model, baseUrl: parallel.url });
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) => client.generate(request({ designId: `d${index}` }))),
      );
      expect(results).toHaveLength(20);
      expect(parallel.stats().maxInFlight).toBe(20);
      expect(Date.now() - started).toBeLessThan(2_000);
      // The fake varies its colour with each request, so answers are distinguishable.
      expect(new Set(results.map((result) => sha256(result.png))).size).toBeGreaterThan(1);
    } finally {
      await parallel.close();
    }
  });

  it('refuses to start without an API key', () => {
    expect(() => new GeminiImageModel({ apiKey: '', model })).toThrow(/API key/);
  });
});
