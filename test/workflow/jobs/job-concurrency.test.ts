import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { workflowAdapters } from '../../../src/compose/workflow-adapters.ts';
import { loadConfig } from '../../../src/config.ts';
import { bullmqQueueNames } from '../../../src/workflow/jobs/bullmq-job-queue.ts';

// A Redis database of its own (12; the attack suite has 11, the benches 7 and 8): the product's queue
// name and key prefix are the defaults, which no other file's queue uses there.
const redisUrl = `${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d+$/, '')}/12`;

/** Removes only this queue's keys, whatever else the database holds. */
async function clearQueue(redis: Redis): Promise<void> {
  const keys = (await Promise.all(bullmqQueueNames().map((name) => redis.keys(`bull:${name}:*`)))).flat();
  if (keys.length > 0) await redis.del(...keys);
}

describe('FACET_JOB_CONCURRENCY', () => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  afterAll(async () => {
    await clearQueue(redis);
    await redis.quit();
  });

  it('is how many jobs one worker process runs at once', async () => {
    await clearQueue(redis);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-concurrency-'));
    const adapters = await workflowAdapters(
      loadConfig({ FACET_DATA_DIR: dataDir, REDIS_URL: redisUrl, FACET_JOB_CONCURRENCY: '3' }),
      'http://127.0.0.1:1',
      pino({ level: 'silent' }),
    );
    let running = 0;
    let most = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    try {
      await adapters.jobs.process(async () => {
        running++;
        most = Math.max(most, running);
        await released;
        running--;
      });
      for (let i = 1; i <= 8; i++)
        await adapters.jobs.enqueue({ kind: 'expire', designId: `d${i}`, iteration: 1 });
      await expect.poll(() => running, { timeout: 10_000 }).toBe(3);
      // Given time, no fourth job starts while three hold their slots.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(most).toBe(3);
    } finally {
      release();
      await adapters.jobs.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a value that is not a positive whole number', () => {
    for (const value of ['0', '-1', '2.5', 'many'])
      expect(() => loadConfig({ FACET_JOB_CONCURRENCY: value })).toThrow(/FACET_JOB_CONCURRENCY/);
  });
});
