import { pino, type Logger } from 'pino';
import { jobId, type Job, type JobHandler, type JobQueue } from '../ports/job-queue.ts';
import type { JobCounts } from './job-counts.ts';
import { defaultOffPathConcurrency, jobLane, type JobLane } from './job-lane.ts';
import { parseJob } from './job-schema.ts';
import { withTimeout } from './with-timeout.ts';
import { JobQueueClosedError } from '../errors/job-queue-closed-error.ts';

export type InProcessJobQueueOptions = {
  /** Critical-path jobs run at once. Default 16. */
  concurrency?: number;
  /** Off-path jobs (sheets) run at once, besides those. Default 2. */
  offPathConcurrency?: number;
  /** Runs of a job, the first included, before it is given up. Default 5. */
  attempts?: number;
  /** Base of the exponential backoff between attempts: base, 2 x base, 4 x base... Default 1000. */
  backoffMs?: number;
  /** How long close() waits for running jobs. Default 30 s. */
  closeTimeoutMs?: number;
  logger?: Logger;
};

type Entry = { id: string; job: Job; lane: JobLane; attempt: number };

/**
 * The embedded queue for a single process without Redis. Jobs live in memory only, so a restart loses
 * them: whoever enqueues must be able to find unfinished work again (the database says which).
 */
export class InProcessJobQueue implements JobQueue {
  readonly name = 'in-process';
  private readonly logger: Logger;
  private readonly slots: Record<JobLane, number>;
  private readonly runningIn: Record<JobLane, number> = { critical: 0, off_path: 0 };
  private readonly attempts: number;
  private readonly backoffMs: number;
  /** Ids waiting, delayed (first run or retry) or running: the ones a new enqueue is a duplicate of. */
  private readonly pending = new Set<string>();
  private readonly ready: Entry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private delayed = 0;
  private startScheduled = false;
  private handler: JobHandler | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: InProcessJobQueueOptions = {}) {
    this.logger = options.logger ?? pino({ enabled: false });
    this.slots = {
      critical: options.concurrency ?? 16,
      off_path: options.offPathConcurrency ?? defaultOffPathConcurrency,
    };
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 1000;
  }

  enqueue(job: Job, options?: { delayMs?: number }): Promise<void> {
    // Added synchronously (a throw rejects the promise), so that back-to-back calls dedupe in call order.
    return new Promise((resolve) => {
      this.add(job, options?.delayMs ?? 0);
      resolve();
    });
  }

  private add(job: Job, delayMs: number): void {
    if (this.closing) throw new JobQueueClosedError();
    const id = jobId(job);
    if (this.pending.has(id)) return;
    // A checked copy, as the Redis queue would store: a caller mutating its object later changes nothing.
    const checked = parseJob(job);
    const entry = { id, job: checked, lane: jobLane(checked), attempt: 1 };
    this.pending.add(id);
    this.schedule(entry, delayMs);
  }

  process(handler: JobHandler): Promise<void> {
    if (this.closing) return Promise.reject(new JobQueueClosedError());
    if (this.handler) return Promise.reject(new Error('job queue is already processing'));
    this.handler = handler;
    this.pump();
    return Promise.resolve();
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve({
      waiting: this.ready.length,
      active: this.running.size,
      delayed: this.delayed,
      failed: 0,
    });
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(!this.closing);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    const dropped = this.ready.length + this.timers.size;
    if (dropped > 0) this.logger.warn({ dropped }, 'job queue closed with jobs not run');
    this.timers.clear();
    this.ready.length = 0;
    this.delayed = 0;
    const finished = await withTimeout(
      Promise.allSettled(this.running).then(() => true),
      this.options.closeTimeoutMs ?? 30_000,
      false,
    );
    if (!finished) this.logger.warn('job queue did not finish its running jobs in time');
  }

  private schedule(entry: Entry, delayMs: number): void {
    if (delayMs <= 0) {
      this.ready.push(entry);
      this.pump();
      return;
    }
    this.delayed++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.delayed--;
      this.ready.push(entry);
      this.pump();
    }, delayMs);
    // A delayed job must not keep a process alive that has nothing else to do; it fires while it runs.
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * Starts the next ready job on a later turn of the event loop, one job per turn: this runner shares
   * the loop with the HTTP server and the chat platforms, so a batch of job starts (each running its
   * first synchronous stretch) must not hold back an acknowledgement waiting in the poll phase.
   */
  private pump(): void {
    if (this.startScheduled || !this.handler || this.closing) return;
    if (this.nextStartable() === -1) return;
    this.startScheduled = true;
    setImmediate(() => {
      this.startScheduled = false;
      this.startNext();
      this.pump();
    });
  }

  /** The first ready job whose lane has a free slot, or -1. */
  private nextStartable(): number {
    return this.ready.findIndex((entry) => this.runningIn[entry.lane] < this.slots[entry.lane]);
  }

  private startNext(): void {
    const handler = this.handler;
    if (!handler || this.closing) return;
    const index = this.nextStartable();
    if (index === -1) return;
    const [entry] = this.ready.splice(index, 1);
    if (!entry) return;
    this.runningIn[entry.lane]++;
    const run = this.run(handler, entry).finally(() => {
      this.runningIn[entry.lane]--;
      this.running.delete(run);
      this.pump();
    });
    this.running.add(run);
  }

  private async run(handler: JobHandler, entry: Entry): Promise<void> {
    try {
      await handler(entry.job, { number: entry.attempt, maxAttempts: this.attempts });
      this.pending.delete(entry.id);
    } catch (err) {
      const log = { err, jobId: entry.id, attempt: entry.attempt };
      if (this.closing) {
        this.logger.warn(log, 'job attempt failed while closing; not retried');
        this.pending.delete(entry.id);
      } else if (entry.attempt < this.attempts) {
        this.logger.warn(log, 'job attempt failed');
        // The same schedule as BullMQ's exponential backoff, so both queues behave alike.
        this.schedule({ ...entry, attempt: entry.attempt + 1 }, this.backoffMs * 2 ** (entry.attempt - 1));
      } else {
        this.logger.error({ err, jobId: entry.id, attempts: entry.attempt }, 'job gave up');
        this.pending.delete(entry.id);
      }
    }
  }
}
