import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job, JobAttempt } from '../../../src/workflow/ports/job-queue.ts';
import { bullmqJobId } from '../../../src/workflow/jobs/bullmq-job-id.ts';
import {
  BullMQJobQueue,
  bullmqQueueNames,
  type BullMQJobQueueOptions,
} from '../../../src/workflow/jobs/bullmq-job-queue.ts';
import { describeJobQueueContract, frontJob, waitFor } from './job-queue-scenarios.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A prefix of its own, so that this file runs beside others and leaves nothing behind.
const prefix = `facet-test-${randomUUID()}`;
const queueNames: string[] = [];

function makeQueue(options: Partial<BullMQJobQueueOptions> = {}): BullMQJobQueue {
  const queueName = options.queueName ?? `jobs-${queueNames.length}`;
  if (!queueNames.includes(queueName)) queueNames.push(queueName);
  return new BullMQJobQueue({ redisUrl, prefix, ...options, queueName });
}

const opened: BullMQJobQueue[] = [];
function openQueue(options: Partial<BullMQJobQueueOptions> = {}): BullMQJobQueue {
  const queue = makeQueue(options);
  opened.push(queue);
  return queue;
}

describe('BullMQJobQueue', () => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });

  afterAll(async () => {
    await Promise.all(opened.map((queue) => queue.close()));
    for (const name of queueNames.flatMap((queueName) => bullmqQueueNames(queueName))) {
      const queue = new Queue(name, { connection: redis, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    const left = await redis.keys(`${prefix}:*`);
    await redis.quit();
    expect(left).toEqual([]);
  });

  describeJobQueueContract((settings) => makeQueue(settings));

  it('maps logical ids to distinct ids BullMQ accepts', () => {
    const jobs: Job[] = [
      { kind: 'finalize', designId: 'd1', round: 1 },
      { kind: 'finalize', designId: 'd1', round: 2 },
      { kind: 'view', designId: 'd1', view: 'top', round: 3 },
      { kind: 'front', designId: 'a:b', iteration: 1 },
      { kind: 'front', designId: 'a.b', iteration: 1 },
      { kind: 'front', designId: 'a%2Eb', iteration: 1 },
    ];
    const ids = jobs.map(bullmqJobId);
    expect(ids[0]).toBe('finalize.d1');
    expect(ids.every((id) => !id.includes(':'))).toBe(true);
    expect(new Set(ids).size).toBe(jobs.length);
    expect(jobs.map(bullmqJobId)).toEqual(ids);
  });

  it('fails a job whose data is not a Job at once, logged and never handed to the handler', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const queueName = `bogus-${randomUUID()}`;
    const queue = openQueue({ queueName, logger });
    const raw = new Queue(queueName, { connection: redis, prefix });
    await raw.add('front', { kind: 'front', designId: 42 }, { jobId: 'front.bogus', attempts: 5 });
    let handled = 0;
    await queue.process(() => {
      handled++;
      return Promise.resolve();
    });
    await waitFor(async () => (await raw.getJobState('front.bogus')) === 'failed', 'the job to fail');
    const failed = await raw.getJob('front.bogus');
    await raw.close();
    expect(handled).toBe(0);
    expect(failed?.attemptsMade).toBe(1);
    expect(lines.some((line) => line.includes('unparseable job') && line.includes('front.bogus'))).toBe(true);
  });

  it('reports counts and readiness', async () => {
    const queue = openQueue();
    await queue.enqueue(frontJob());
    await queue.enqueue(frontJob(), { delayMs: 60_000 });
    await queue.enqueue(frontJob(), { delayMs: 60_000 });
    expect(await queue.counts()).toEqual({ waiting: 1, active: 0, delayed: 2, failed: 0 });
    expect(await queue.isReady()).toBe(true);
    await queue.close();
    expect(await queue.isReady()).toBe(false);
  });

  it('hands the job of a SIGKILLed worker to another worker once its lock expires', async () => {
    const timing = { lockDurationMs: 1_500, stalledIntervalMs: 1_000 };
    const queueName = `crash-${randomUUID()}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/workflow/jobs/fixtures/stalling-worker.ts'],
      {
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          JOBS_PREFIX: prefix,
          JOBS_QUEUE: queueName,
          LOCK_DURATION_MS: String(timing.lockDurationMs),
          STALLED_INTERVAL_MS: String(timing.stalledIntervalMs),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit');
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe('ready');

      const job: Job = { kind: 'view', designId: randomUUID(), view: 'side', round: 2 };
      const producer = openQueue({ queueName });
      await producer.enqueue(job);
      const started = (await lines.next()).value as string;
      expect(JSON.parse(started.replace(/^started /, ''))).toEqual(job);

      child.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();

      const calls: { job: Job; attempt: JobAttempt; at: number }[] = [];
      const rescuer = openQueue({ queueName, ...timing });
      await rescuer.process((taken, attempt) => {
        calls.push({ job: taken, attempt, at: Date.now() });
        return Promise.resolve();
      });
      await waitFor(() => calls.length > 0, 'the job to be taken over', 30_000);
      // About lockDuration + stalledInterval (~2 s measured); far more means a worker checks too rarely.
      expect(calls[0]!.at - killedAt).toBeLessThan(15_000);
      expect(calls[0]!.job).toEqual(job);
      // A crash is not a failed attempt: the retry budget is left for errors.
      expect(calls[0]!.attempt.number).toBe(1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
