import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { bullmqQueueNames } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { defaultChatWorkQueueName } from '../src/bots/chat/work/bullmq-chat-work-queue.ts';

/** The BullMQ queue of a bench run: its name, Redis and prefix (a prefix of its own per run). */
export type BenchQueue = { queueName: string; redisUrl: string; prefix: string };

function openLanes(queue: BenchQueue): Queue[] {
  return [...bullmqQueueNames(queue.queueName), defaultChatWorkQueueName].map(
    (name) => new Queue(name, { connection: { url: queue.redisUrl }, prefix: queue.prefix }),
  );
}

/** Removes everything the run left in Redis under its prefix, chat work too (a failure is logged, not thrown). */
export async function obliterateQueue(queue: BenchQueue, logger: Logger): Promise<void> {
  for (const cleanup of openLanes(queue)) {
    await cleanup
      .obliterate({ force: true })
      .catch((err: unknown) => logger.warn({ err }, 'obliterate failed'));
    await cleanup.close();
  }
}

/** How many jobs of each kind (front, view, sheet, ...) are active now: what holds the workers' slots. */
export async function activeJobKinds(queue: BenchQueue): Promise<Record<string, number>> {
  const readers = openLanes(queue);
  try {
    const kinds: Record<string, number> = {};
    for (const reader of readers)
      for (const job of await reader.getActive()) kinds[job.name] = (kinds[job.name] ?? 0) + 1;
    return kinds;
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
  }
}
