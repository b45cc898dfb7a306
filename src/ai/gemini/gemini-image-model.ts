import { inspect } from 'node:util';
import { ApiError, GoogleGenAI, Modality } from '@google/genai';
import type { Part } from '@google/genai';
import sharp from '../../sharp.ts';
import { z } from 'zod';
import { PermanentError } from '../../workflow/errors/permanent-error.ts';
import { TransientError } from '../../workflow/errors/transient-error.ts';
import type { GeneratedImage, ImageModel, ImageRequest } from '../../workflow/ports/image-model.ts';
import type { TokenUsage } from '../../workflow/ports/model-usage.ts';

export type GeminiImageModelOptions = {
  apiKey: string;
  /** Default gemini-2.5-flash-image. */
  model?: string;
  /** Only tests change it (a fake server on 127.0.0.1). */
  baseUrl?: string;
  /** Per request; default 120 s. Without one a stuck request would hold a worker forever. */
  timeoutMs?: number;
};

export const defaultGeminiImageModel = 'gemini-2.5-flash-image';
const defaultTimeoutMs = 120_000;

const userMessages = {
  blocked: 'The image model declined this request (safety filters). Try rewording the description.',
  no_image: 'The image model answered without an image. Try again, perhaps with a simpler description.',
  invalid_input: 'The image model could not accept this request. Try a shorter or simpler description.',
  not_configured:
    'Image generation is not set up correctly. An administrator needs to check the Gemini settings.',
  invalid_response: 'The image model sent an answer that could not be read. Please try again.',
} as const;

// Finish reasons that mean a filter stopped the image; the others (NO_IMAGE, IMAGE_OTHER, MAX_TOKENS...)
// mean the model simply did not draw.
const blockingFinishReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

// The SDK's types mark everything optional and trust the wire; these are the fields we rely on.
const partSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  inlineData: z.object({ mimeType: z.string().nullish(), data: z.string().nullish() }).nullish(),
});
const responseSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(partSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  modelVersion: z.string().nullish(),
  // Thinking tokens are billed as output, like the candidates'.
  usageMetadata: z
    .object({
      promptTokenCount: z.number().int().nonnegative().nullish(),
      candidatesTokenCount: z.number().int().nonnegative().nullish(),
      thoughtsTokenCount: z.number().int().nonnegative().nullish(),
    })
    .nullish(),
});
type ParsedResponse = z.infer<typeof responseSchema>;

// The SDK's ApiError carries the HTTP status and, as its message, Google's JSON error body.
const errorBodySchema = z.object({
  error: z.object({
    status: z.string().optional(),
    message: z.string().optional(),
    details: z.array(z.object({ reason: z.string().optional() }).loose()).optional(),
  }),
});

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class GeminiImageModel implements ImageModel {
  readonly name = 'gemini';
  readonly model: string;
  private readonly client: GoogleGenAI;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(options: GeminiImageModelOptions) {
    if (!options.apiKey) {
      throw new Error('GeminiImageModel needs an API key; use the offline model without one');
    }
    this.apiKey = options.apiKey;
    this.model = options.model ?? defaultGeminiImageModel;
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      // Pinned so that GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch the backend.
      vertexai: false,
      // No retryOptions: the job queue owns retries and backoff.
      httpOptions: { timeout: this.timeoutMs, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) },
    });
  }

  async generate(request: ImageRequest): Promise<GeneratedImage> {
    const parts: Part[] = [
      { text: request.prompt },
      ...request.references.map((reference) => ({
        inlineData: { mimeType: 'image/png', data: reference.png.toString('base64') },
      })),
    ];
    let response: unknown;
    try {
      response = await this.client.models.generateContent({
        model: this.model,
        contents: [{ role: 'user', parts }],
        config: {
          responseModalities: [Modality.IMAGE],
          imageConfig: { aspectRatio: '1:1' },
          abortSignal: request.signal,
        },
      });
    } catch (error) {
      throw this.classify(error, request.signal);
    }
    return this.readImage(response);
  }

  private async readImage(response: unknown): Promise<GeneratedImage> {
    const parsed = responseSchema.safeParse(response);
    if (!parsed.success) {
      throw new PermanentError('invalid_response', userMessages.invalid_response, {
        detail: redact(`unexpected response shape: ${parsed.error.message.slice(0, 300)}`, this.apiKey),
      });
    }
    const blockReason = parsed.data.promptFeedback?.blockReason;
    if (blockReason) {
      throw new PermanentError('blocked', userMessages.blocked, { detail: `prompt blocked: ${blockReason}` });
    }
    const data = findImageData(parsed.data);
    if (!data) throw noImageError(parsed.data, this.apiKey);
    const bytes = Buffer.from(data, 'base64');
    return {
      png: await toPng(bytes),
      model: parsed.data.modelVersion ?? this.model,
      usage: usageOf(parsed.data),
    };
  }

  private classify(error: unknown, signal: AbortSignal | undefined): Error {
    if (error instanceof ApiError) return this.classifyStatus(error);
    const cause = scrub(error, this.apiKey);
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      const what = signal?.aborted
        ? 'request cancelled by the caller'
        : `no answer within ${this.timeoutMs} ms`;
      return new TransientError(`Gemini: ${what}`, { cause });
    }
    const code = networkErrorCode(error);
    if (code) return new TransientError(`Gemini: connection failed (${code})`, { cause });
    // A 200 whose body is not JSON comes from something between us and Google; the next try usually works.
    if (error instanceof SyntaxError) return new TransientError('Gemini: answer was not JSON', { cause });
    return cause instanceof Error ? cause : new Error(redact(String(cause), this.apiKey));
  }

  private classifyStatus(error: ApiError): Error {
    const { status } = error;
    const body = parseErrorBody(error.message);
    const reasons = body?.details?.flatMap((detail) => (detail.reason ? [detail.reason] : [])) ?? [];
    const providerText = redact(`${body?.status ?? 'UNKNOWN'} ${body?.message ?? ''}`.trim(), this.apiKey);
    const detail = `HTTP ${status} ${providerText.slice(0, 300)}`;
    const cause = scrub(error, this.apiKey);
    if (status === 408 || status === 429 || status === 499 || status >= 500) {
      return new TransientError(`Gemini: ${detail}`, { cause });
    }
    // Google answers a wrong key with 400 API_KEY_INVALID, and an unbilled project with FAILED_PRECONDITION.
    const misconfigured =
      status === 401 ||
      status === 403 ||
      status === 404 ||
      reasons.includes('API_KEY_INVALID') ||
      body?.status === 'FAILED_PRECONDITION';
    if (misconfigured) {
      return new PermanentError('not_configured', userMessages.not_configured, { cause, detail });
    }
    return new PermanentError('invalid_input', userMessages.invalid_input, { cause, detail });
  }
}

function usageOf(response: ParsedResponse): TokenUsage | undefined {
  const usage = response.usageMetadata;
  if (typeof usage?.promptTokenCount !== 'number' || typeof usage.candidatesTokenCount !== 'number')
    return undefined;
  return {
    tokensIn: usage.promptTokenCount,
    tokensOut: usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0),
  };
}

function findImageData(response: ParsedResponse): string | undefined {
  // Thinking models may send draft images marked `thought`; the answer is the first image that is not.
  for (const candidate of response.candidates ?? []) {
    for (const part of candidate.content?.parts ?? []) {
      if (part.thought) continue;
      if (part.inlineData?.data && (part.inlineData.mimeType ?? 'image/').startsWith('image/')) {
        return part.inlineData.data;
      }
    }
  }
  return undefined;
}

function noImageError(response: ParsedResponse, apiKey: string): PermanentError {
  const candidate = response.candidates?.[0];
  const finishReason = candidate?.finishReason ?? 'none';
  if (blockingFinishReasons.has(finishReason)) {
    return new PermanentError('blocked', userMessages.blocked, { detail: `finishReason ${finishReason}` });
  }
  const text = (candidate?.content?.parts ?? []).map((part) => part.text ?? '').join(' ');
  return new PermanentError('no_image', userMessages.no_image, {
    // The model's own words help when reading logs, but they are untrusted and may echo anything.
    detail: redact(`no image part (finishReason ${finishReason}); text: ${text.slice(0, 200)}`, apiKey),
  });
}

async function toPng(bytes: Buffer): Promise<Buffer> {
  if (bytes.length === 0) {
    throw new PermanentError('no_image', userMessages.no_image, { detail: 'empty image part' });
  }
  if (bytes.subarray(0, pngSignature.length).equals(pngSignature)) return bytes;
  try {
    return await sharp(bytes).png().toBuffer();
  } catch (error) {
    throw new PermanentError('invalid_response', userMessages.invalid_response, {
      cause: error,
      detail: 'image part could not be decoded',
    });
  }
}

function parseErrorBody(message: string): z.infer<typeof errorBodySchema>['error'] | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.has(code)) return code;
    // undici reports a dropped connection as TypeError('fetch failed') or, mid-body, TypeError('terminated').
    if (
      current instanceof TypeError &&
      (current.message === 'fetch failed' || current.message === 'terminated')
    ) {
      const inner = networkErrorCode(current.cause);
      return inner ?? current.message;
    }
    current = current.cause;
  }
  return undefined;
}

function redact(text: string, secret: string): string {
  return secret ? text.replaceAll(secret, '[redacted]') : text;
}

/** The original error unless it (message, stack, cause or properties) mentions the key. */
function scrub(error: unknown, secret: string): unknown {
  if (!secret || !inspect(error, { depth: 6 }).includes(secret)) return error;
  const clean = new Error(redact(error instanceof Error ? error.message : String(error), secret));
  clean.name = error instanceof Error ? error.name : 'Error';
  return clean;
}
