import path from 'node:path';
import type { Logger } from 'pino';
import { OfflineFeatureExtractor } from '../ai/offline/offline-feature-extractor.ts';
import { OfflineImageModel } from '../ai/offline/offline-image-model.ts';
import type { Config } from '../config.ts';
import { LocalImageStore } from '../storage/images/local-image-store.ts';
import { loadOrCreateUrlSecret } from '../storage/images/url-secret.ts';
import { InProcessJobQueue } from '../workflow/jobs/in-process-job-queue.ts';
import type { FeatureExtractor } from '../workflow/ports/feature-extractor.ts';
import type { ImageModel } from '../workflow/ports/image-model.ts';
import type { ImageStore } from '../workflow/ports/image-store.ts';
import type { JobQueue } from '../workflow/ports/job-queue.ts';

export type WorkflowAdapters = {
  jobs: JobQueue;
  model: ImageModel;
  extractor: FeatureExtractor;
  images: ImageStore;
  /** Set when images are served by our own HTTP server. */
  localImages: LocalImageStore | undefined;
};

/**
 * The real service where it is configured, the embedded stand-in where it is not (design brief table).
 * A real service's client is imported only when configured: bullmq, @google/genai, openai and
 * @aws-sdk take about a second to load, which a start with the stand-ins would wait for.
 */
export async function workflowAdapters(
  config: Readonly<Config>,
  serverUrl: string,
  logger: Logger,
): Promise<WorkflowAdapters> {
  const [jobs, model, extractor] = await Promise.all([
    jobQueue(config, logger),
    imageModel(config),
    featureExtractor(config),
  ]);
  if (config.s3) {
    const s3 = config.s3;
    const { S3ImageStore } = await import('../storage/images/s3-image-store.ts');
    const images = new S3ImageStore({
      bucket: s3.bucket,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    });
    return { jobs, model, extractor, images, localImages: undefined };
  }
  const localImages = new LocalImageStore({
    dir: path.join(config.dataDir, 'images'),
    publicUrl: config.publicUrl ?? serverUrl,
    secret: await loadOrCreateUrlSecret(config.dataDir),
  });
  return { jobs, model, extractor, images: localImages, localImages };
}

async function jobQueue(config: Readonly<Config>, logger: Logger): Promise<JobQueue> {
  if (!config.redis) return new InProcessJobQueue({ logger });
  const { BullMQJobQueue } = await import('../workflow/jobs/bullmq-job-queue.ts');
  return new BullMQJobQueue({ redisUrl: config.redis.url, concurrency: config.redis.concurrency, logger });
}

async function imageModel(config: Readonly<Config>): Promise<ImageModel> {
  if (!config.gemini) return new OfflineImageModel({ delayMs: config.offline.latencyMs });
  const { GeminiImageModel } = await import('../ai/gemini/gemini-image-model.ts');
  const { apiKey, model, baseUrl } = config.gemini;
  return new GeminiImageModel({ apiKey, model, ...optional(baseUrl) });
}

async function featureExtractor(config: Readonly<Config>): Promise<FeatureExtractor> {
  if (!config.openai) return new OfflineFeatureExtractor();
  const { OpenAIFeatureExtractor } = await import('../ai/openai/openai-feature-extractor.ts');
  const { apiKey, model, baseUrl } = config.openai;
  return new OpenAIFeatureExtractor({ apiKey, model, ...optional(baseUrl) });
}

function optional(baseUrl: string | undefined): { baseUrl?: string } {
  return baseUrl === undefined ? {} : { baseUrl };
}
