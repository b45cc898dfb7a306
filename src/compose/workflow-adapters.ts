import path from 'node:path';
import type { Logger } from 'pino';
import { GeminiImageModel } from '../ai/gemini/gemini-image-model.ts';
import { OfflineFeatureExtractor } from '../ai/offline/offline-feature-extractor.ts';
import { OfflineImageModel } from '../ai/offline/offline-image-model.ts';
import { OpenAIFeatureExtractor } from '../ai/openai/openai-feature-extractor.ts';
import type { Config } from '../config.ts';
import { LocalImageStore } from '../storage/images/local-image-store.ts';
import { S3ImageStore } from '../storage/images/s3-image-store.ts';
import { loadOrCreateUrlSecret } from '../storage/images/url-secret.ts';
import { BullMQJobQueue } from '../workflow/jobs/bullmq-job-queue.ts';
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

/** The real service where it is configured, the embedded stand-in where it is not (design brief table). */
export async function workflowAdapters(
  config: Readonly<Config>,
  serverUrl: string,
  logger: Logger,
): Promise<WorkflowAdapters> {
  const jobs: JobQueue = config.redis
    ? new BullMQJobQueue({ redisUrl: config.redis.url, logger })
    : new InProcessJobQueue({ logger });
  const model: ImageModel = config.gemini
    ? new GeminiImageModel({
        apiKey: config.gemini.apiKey,
        model: config.gemini.model,
        ...optional(config.gemini.baseUrl),
      })
    : new OfflineImageModel();
  const extractor: FeatureExtractor = config.openai
    ? new OpenAIFeatureExtractor({
        apiKey: config.openai.apiKey,
        model: config.openai.model,
        ...optional(config.openai.baseUrl),
      })
    : new OfflineFeatureExtractor();
  if (config.s3) {
    const s3 = config.s3;
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

function optional(baseUrl: string | undefined): { baseUrl?: string } {
  return baseUrl === undefined ? {} : { baseUrl };
}
