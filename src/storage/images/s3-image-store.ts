import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { TransientError } from '../../workflow/errors/transient-error.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';

/** SigV4 refuses presigned URLs that live longer than seven days. */
export const maxPresignSeconds = 7 * 24 * 60 * 60;

export type S3ImageStoreOptions = {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, R2, s3rver); leave unset for AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** When the bucket is served publicly (CDN), url() returns `${publicBaseUrl}/${key}` instead of presigning. */
  publicBaseUrl?: string;
  /** SDK attempts per call; the job queue retries TransientError too, so a low number avoids long stalls. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  /** Whole request budget: without it a store that accepts connections but never answers hangs a job forever. */
  requestTimeoutMs?: number;
  /** An already configured client (tests, shared connection pools); the options above then only name the bucket. */
  client?: S3Client;
};

export class S3ImageStore implements ImageStore {
  readonly name = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly publicBaseUrl: string | undefined;

  constructor(options: S3ImageStoreOptions) {
    this.bucket = options.bucket;
    this.publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
    this.client = options.client ?? createS3Client(options);
  }

  async put(key: string, png: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: png, ContentType: 'image/png' }),
      );
    } catch (error) {
      throw classifyS3Error(error, `storing ${key}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) throw new TransientError(`S3 returned no body for ${key}`);
      // The body is streamed, so a connection dropped mid-download surfaces here and must be classified too.
      const bytes = await response.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (isNotFound(error)) throw new ImageNotFoundError(key);
      throw classifyS3Error(error, `reading ${key}`);
    }
  }

  async url(key: string, options?: { expiresInSeconds?: number }): Promise<string> {
    if (this.publicBaseUrl !== undefined) {
      return `${this.publicBaseUrl}/${key.split('/').map(encodeURIComponent).join('/')}`;
    }
    // Clamped rather than rejected: a chat message with a week-long link beats a failed job.
    const requested = Math.floor(options?.expiresInSeconds ?? maxPresignSeconds);
    const expiresIn = Math.min(Math.max(requested, 1), maxPresignSeconds);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }
}

export function createS3Client(options: S3ImageStoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    // Flexible checksums make the SDK send aws-chunked bodies, which S3-compatible stores may store verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      throwOnRequestTimeout: true,
    },
  });
}

function isNotFound(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const { name, status } = describe(error);
  // A missing bucket is also a 404, but it is a misconfiguration, not an image that was never written.
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

const transientNames = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
]);

const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** Turns outages into TransientError so the job retries; anything else (bad bucket, denied) stays as is. */
function classifyS3Error(error: unknown, doing: string): unknown {
  if (error instanceof TransientError) return error;
  const { name, status, code, fault } = describe(error);
  const transient =
    (status !== undefined && (status >= 500 || status === 429 || status === 408)) ||
    fault === 'server' ||
    (name !== undefined && transientNames.has(name)) ||
    (code !== undefined && transientCodes.has(code));
  if (!transient) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TransientError(`S3 unavailable while ${doing}: ${reason}`, { cause: error });
}

function describe(error: unknown): { name?: string; status?: number; code?: string; fault?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const fields = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = fields.$metadata?.httpStatusCode;
  return {
    ...(typeof fields.name === 'string' ? { name: fields.name } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.$fault === 'string' ? { fault: fields.$fault } : {}),
  };
}
