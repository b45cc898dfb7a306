import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../../src/workflow/jobs/in-process-job-queue.ts';
import { describeJobQueueContract, frontJob, waitFor } from './job-queue-scenarios.ts';

describe('InProcessJobQueue', () => {
  describeJobQueueContract((settings) => new InProcessJobQueue(settings));

  it('drops delayed jobs and pending retries on close without waiting for them', async () => {
    const queue = new InProcessJobQueue({ attempts: 3, backoffMs: 60_000 });
    let calls = 0;
    await queue.process(() => {
      calls++;
      return Promise.reject(new Error('fails'));
    });
    await queue.enqueue(frontJob(), { delayMs: 60_000 });
    await queue.enqueue(frontJob());
    await waitFor(() => calls === 1, 'the first attempt');
    expect(await queue.counts()).toMatchObject({ delayed: 2 });
    const start = Date.now();
    await queue.close();
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(await queue.counts()).toMatchObject({ delayed: 0, waiting: 0, active: 0 });
    expect(await queue.isReady()).toBe(false);
  });

  it('gives up waiting for a job that outlives closeTimeoutMs', async () => {
    const queue = new InProcessJobQueue({ closeTimeoutMs: 200 });
    let started = false;
    await queue.process(async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    });
    await queue.enqueue(frontJob());
    await waitFor(() => started, 'the job to start');
    const start = Date.now();
    await queue.close();
    expect(Date.now() - start).toBeLessThan(2_000);
  });

  it('rejects a job that is not a Job at enqueue', async () => {
    const queue = new InProcessJobQueue();
    await expect(queue.enqueue({ kind: 'front', designId: '', iteration: 1 })).rejects.toThrow();
    await queue.close();
  });

  it('starts one job per turn of the event loop, so that waiting I/O and timers run in between', async () => {
    const queue = new InProcessJobQueue({ concurrency: 16 });
    const stepMs = 10;
    let done = 0;
    await queue.process(() => {
      // A job's first synchronous stretch (building a request, say), then its wait.
      const until = performance.now() + stepMs;
      while (performance.now() < until);
      return new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => {
        done++;
      });
    });
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(performance.now()), 1);
    for (let i = 0; i < 48; i++) await queue.enqueue(frontJob());
    await waitFor(() => done === 48, 'every job');
    clearInterval(ticker);
    await queue.close();
    const gaps = ticks.slice(1).map((at, i) => at - ticks[i]!);
    // Sixteen starts in one turn would hold the loop for 160 ms; one a turn holds it about 10 ms.
    expect(Math.max(...gaps)).toBeLessThan(6 * stepMs);
    expect(ticks.length).toBeGreaterThan(20);
  });
});
