import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import type { Job, JobAttempt, JobQueue } from '../../../src/workflow/ports/job-queue.ts';
import type { JobCounts } from '../../../src/workflow/jobs/job-counts.ts';
import { JobQueueClosedError } from '../../../src/workflow/errors/job-queue-closed-error.ts';

/*
 * The JobQueue contract, run against every adapter so that the embedded queue and the Redis one behave
 * alike. Timing bounds are lower bounds or generous upper ones: the suite runs on small, busy machines.
 */

export type TestQueue = JobQueue & { counts(): Promise<JobCounts> };
export type QueueSettings = {
  concurrency?: number;
  offPathConcurrency?: number;
  attempts?: number;
  backoffMs?: number;
};
export type QueueFactory = (settings: QueueSettings) => TestQueue;

export type Call = { job: Job; attempt: JobAttempt; at: number };

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Nothing waiting, delayed or running: every enqueued job finished (or gave up). */
export function waitForIdle(queue: TestQueue, timeoutMs?: number) {
  return waitFor(
    async () => {
      const counts = await queue.counts();
      return counts.waiting + counts.active + counts.delayed === 0;
    },
    'the queue to be idle',
    timeoutMs,
  );
}

export function frontJob(iteration = 1): Job {
  return { kind: 'front', designId: randomUUID(), iteration };
}

export function describeJobQueueContract(makeQueue: QueueFactory): void {
  const opened: TestQueue[] = [];
  const open = (settings: QueueSettings = {}) => {
    const queue = makeQueue(settings);
    opened.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  /** A handler that records its calls, after running `body` (which may throw). */
  const recorder = (body: (job: Job, attempt: JobAttempt) => Promise<void> = async () => {}) => {
    const calls: Call[] = [];
    const handler = async (job: Job, attempt: JobAttempt) => {
      calls.push({ job, attempt, at: Date.now() });
      await body(job, attempt);
    };
    return { calls, handler };
  };

  it('runs a job once, with its data, as attempt 1 of maxAttempts', async () => {
    const queue = open({ attempts: 3 });
    const { calls, handler } = recorder();
    const designId = randomUUID();
    // finalize round 1 has the id `finalize:<design>`, a shape BullMQ refuses as it stands.
    const jobs: Job[] = [
      { kind: 'finalize', designId, round: 1 },
      { kind: 'view', designId, view: 'back', round: 2 },
    ];
    for (const job of jobs) await queue.enqueue(job);
    await queue.process(handler);
    await waitFor(() => calls.length >= 2, 'both jobs');
    await waitForIdle(queue);
    await sleep(300);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.job)).toEqual(expect.arrayContaining(jobs));
    for (const call of calls) expect(call.attempt).toEqual({ number: 1, maxAttempts: 3 });
  });

  it('keeps jobs enqueued before process() until it is called', async () => {
    const queue = open();
    const { calls, handler } = recorder();
    const job = frontJob();
    await queue.enqueue(job);
    await sleep(300);
    expect(await queue.counts()).toMatchObject({ waiting: 1, active: 0 });
    await queue.process(handler);
    await waitFor(() => calls.length === 1, 'the job');
    expect(calls[0]!.job).toEqual(job);
  });

  it('ignores a duplicate of a job that is waiting, delayed or running', async () => {
    const queue = open();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const waiting = frontJob();
    const delayed = frontJob();
    const running: Job = { kind: 'expire', designId: randomUUID(), iteration: 2 };
    const { calls, handler } = recorder((job) =>
      job.designId === running.designId ? gate : Promise.resolve(),
    );

    await queue.enqueue(waiting);
    await queue.enqueue({ ...waiting });
    await queue.enqueue(delayed, { delayMs: 400 });
    await queue.enqueue(delayed);
    expect(await queue.counts()).toMatchObject({ waiting: 1, delayed: 1 });

    await queue.enqueue(running);
    await queue.process(handler);
    await waitFor(
      () => calls.some((call) => call.job.designId === running.designId),
      'the gated job to start',
    );
    await queue.enqueue(running);
    await sleep(200);
    release();

    await waitFor(() => calls.length >= 3, 'all three jobs');
    await waitForIdle(queue);
    await sleep(300);
    const runs = (job: Job) => calls.filter((call) => call.job.designId === job.designId).length;
    expect([runs(waiting), runs(delayed), runs(running)]).toEqual([1, 1, 1]);
  });

  it('runs a job again when its id is enqueued after it completed', async () => {
    const queue = open();
    const { calls, handler } = recorder();
    const job = frontJob(3);
    await queue.process(handler);
    await queue.enqueue(job);
    await waitFor(() => calls.length === 1, 'the first run');
    await waitForIdle(queue);
    await queue.enqueue(job);
    await waitFor(() => calls.length === 2, 'the second run');
    expect(calls.map((call) => call.attempt.number)).toEqual([1, 1]);
  });

  it('holds a delayed job back for delayMs', async () => {
    const queue = open();
    const { calls, handler } = recorder();
    await queue.process(handler);
    const start = Date.now();
    await queue.enqueue(frontJob(), { delayMs: 800 });
    expect(await queue.counts()).toMatchObject({ delayed: 1, waiting: 0 });
    await waitFor(() => calls.length === 1, 'the delayed job');
    const waited = calls[0]!.at - start;
    expect(waited).toBeGreaterThanOrEqual(780);
    expect(waited).toBeLessThan(800 + 5_000);
  });

  it('retries a throwing job with growing backoff until it succeeds', async () => {
    const queue = open({ attempts: 5, backoffMs: 200 });
    const { calls, handler } = recorder((_job, attempt) =>
      attempt.number <= 2 ? Promise.reject(new Error(`attempt ${attempt.number} fails`)) : Promise.resolve(),
    );
    await queue.process(handler);
    await queue.enqueue(frontJob());
    await waitFor(() => calls.length === 3, 'the third attempt');
    await waitForIdle(queue);
    await sleep(500);
    expect(calls.map((call) => call.attempt)).toEqual(
      [1, 2, 3].map((number) => ({ number, maxAttempts: 5 })),
    );
    const [first, second, third] = calls.map((call) => call.at);
    // Exponential: 200 ms before the second attempt, 400 ms before the third.
    expect(second! - first!).toBeGreaterThanOrEqual(190);
    expect(third! - second!).toBeGreaterThanOrEqual(390);
  });

  it('gives a job up after maxAttempts, after which its id can be enqueued again', async () => {
    const queue = open({ attempts: 3, backoffMs: 50 });
    const { calls, handler } = recorder(() => Promise.reject(new Error('always fails')));
    await queue.process(handler);
    const job = frontJob();
    await queue.enqueue(job);
    await waitFor(() => calls.length === 3, 'three attempts');
    await waitForIdle(queue);
    await sleep(500);
    expect(calls.map((call) => call.attempt.number)).toEqual([1, 2, 3]);

    await queue.enqueue(job);
    await waitFor(() => calls.length === 4, 'a fresh run');
    expect(calls[3]!.attempt.number).toBe(1);
  });

  it('runs jobs in parallel, up to the concurrency limit', async () => {
    const measure = async (concurrency: number, jobs: number, jobMs: number) => {
      const queue = open({ concurrency });
      let inFlight = 0;
      let maxInFlight = 0;
      const { calls, handler } = recorder(async () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(jobMs);
        inFlight--;
      });
      for (let n = 0; n < jobs; n++) await queue.enqueue(frontJob());
      const start = Date.now();
      await queue.process(handler);
      await waitFor(() => calls.length === jobs && inFlight === 0, 'all jobs');
      return { elapsed: Date.now() - start, maxInFlight };
    };

    const wide = await measure(8, 8, 300);
    // One after another would take 2400 ms.
    expect(wide.elapsed).toBeLessThan(1_800);
    expect(wide.maxInFlight).toBeGreaterThanOrEqual(6);

    const narrow = await measure(2, 6, 100);
    expect(narrow.maxInFlight).toBe(2);
  });

  it('runs sheets in slots of their own: waiting sheets hold no critical-path slot, and take at most theirs', async () => {
    const queue = open({ concurrency: 2, offPathConcurrency: 1 });
    let releaseSheets!: () => void;
    const sheetsHeld = new Promise<void>((resolve) => (releaseSheets = resolve));
    let sheetsRunning = 0;
    let mostSheets = 0;
    const { calls, handler } = recorder(async (job) => {
      if (job.kind !== 'contact_sheet') return;
      mostSheets = Math.max(mostSheets, ++sheetsRunning);
      await sheetsHeld;
      sheetsRunning--;
    });
    await queue.process(handler);
    for (let round = 1; round <= 3; round++)
      await queue.enqueue({ kind: 'contact_sheet', designId: randomUUID(), round });
    await waitFor(() => sheetsRunning === 1, 'a sheet to start');
    // Fronts queued behind sheets that are waiting their turn run at once, both at a time.
    for (let n = 0; n < 4; n++) await queue.enqueue(frontJob());
    await waitFor(() => calls.filter((call) => call.job.kind === 'front').length === 4, 'the fronts');
    expect(mostSheets).toBe(1);
    releaseSheets();
    await waitFor(() => calls.filter((call) => call.job.kind === 'contact_sheet').length === 3, 'the sheets');
    await waitForIdle(queue);
  });

  it('lets a running job finish on close, then refuses new jobs', async () => {
    const queue = open();
    let finished = false;
    const { calls, handler } = recorder(async () => {
      await sleep(500);
      finished = true;
    });
    await queue.process(handler);
    await queue.enqueue(frontJob());
    await waitFor(() => calls.length === 1, 'the job to start');
    await queue.close();
    expect(finished).toBe(true);
    // A named error: the workflow logs it as the expected end of a run, not as a failure with a stack.
    await expect(queue.enqueue(frontJob())).rejects.toBeInstanceOf(JobQueueClosedError);
  });
}
