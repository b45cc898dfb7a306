import { Queue } from 'bullmq';
import type { Logger } from 'pino';

/** The BullMQ queue of a bench run: its name, Redis and prefix (a prefix of its own per run). */
export type BenchQueue = { queueName: string; redisUrl: string; prefix: string };

/** Removes everything the run left in Redis under its prefix (a failure is logged, not thrown). */
export async function obliterateQueue(queue: BenchQueue, logger: Logger): Promise<void> {
  const cleanup = new Queue(queue.queueName, { connection: { url: queue.redisUrl }, prefix: queue.prefix });
  await cleanup
    .obliterate({ force: true })
    .catch((err: unknown) => logger.warn({ err }, 'obliterate failed'));
  await cleanup.close();
}
