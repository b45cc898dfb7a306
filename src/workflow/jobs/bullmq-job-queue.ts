import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Job, JobHandler, JobQueue } from '../ports/job-queue.ts';
import { bullmqJobId } from './bullmq-job-id.ts';
import type { JobCounts } from './job-counts.ts';
import { jobSchema } from './job-schema.ts';
import { withTimeout } from './with-timeout.ts';
import { JobQueueClosedError } from '../errors/job-queue-closed-error.ts';

export type BullMQJobQueueOptions = {
  redisUrl: string;
  /** Default 'facet-jobs'. */
  queueName?: string;
  /** BullMQ key prefix (default 'bull'); tests use a unique one so that files can run in parallel. */
  prefix?: string;
  /** Jobs run at once by this process's worker. Default 16. */
  concurrency?: number;
  /** Runs of a job, the first included, before it is given up. Default 5. */
  attempts?: number;
  /** Base of the exponential backoff between attempts: base, 2 x base, 4 x base... Default 1000. */
  backoffMs?: number;
  /** How long a running job's lock lives without renewal, i.e. how soon a dead worker's job is taken over. */
  lockDurationMs?: number;
  /**
   * How often workers look for jobs whose lock expired. Every process on a queue must use the same value:
   * the check is throttled by one queue-wide key, so one slow worker delays recovery for all.
   */
  stalledIntervalMs?: number;
  /** How long close() waits for running jobs; after that they are left to expire and be taken over. */
  closeTimeoutMs?: number;
  logger?: Logger;
};

// Finished jobs must disappear so that their id can be enqueued again; failed ones are kept a while to look at.
const keepFailed = { age: 7 * 24 * 3600, count: 1000 };

/** The job queue for several processes: jobs live in Redis and survive restarts and crashed workers. */
export class BullMQJobQueue implements JobQueue {
  readonly name = 'bullmq';
  private readonly connection: Redis;
  private readonly queue: Queue<Job, void, Job['kind']>;
  private readonly logger: Logger;
  private worker: Worker<unknown, void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullMQJobQueueOptions) {
    this.logger = options.logger ?? pino({ enabled: false });
    // Without maxRetriesPerRequest: null a worker's blocking commands fail during a Redis outage instead of
    // waiting for the reconnect. BullMQ shares this connection and duplicates it for the blocking one.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', (err) => this.logger.warn({ err }, 'redis connection error'));
    this.queue = new Queue(this.queueName, { connection: this.connection, prefix: options.prefix });
    this.queue.on('error', (err) => this.logger.warn({ err }, 'job queue error'));
  }

  private get queueName(): string {
    return this.options.queueName ?? 'facet-jobs';
  }

  async enqueue(job: Job, options?: { delayMs?: number }): Promise<void> {
    if (this.closing) throw new JobQueueClosedError();
    const id = bullmqJobId(job);
    await this.removeIfFinished(id);
    // BullMQ ignores an add whose id exists, which is the dedupe the port asks for.
    await this.queue.add(job.kind, job, {
      jobId: id,
      delay: options?.delayMs,
      attempts: this.options.attempts ?? 5,
      backoff: { type: 'exponential', delay: this.options.backoffMs ?? 1000 },
      removeOnComplete: true,
      removeOnFail: keepFailed,
    });
  }

  /** A job that gave up is kept for inspection, but it is not queued any more: the step may be tried again. */
  private async removeIfFinished(id: string): Promise<void> {
    const state = await this.queue.getJobState(id);
    if (state !== 'failed' && state !== 'completed') return;
    // A concurrent enqueue may have replaced it already and a worker locked it: then it is running, as wanted.
    await this.queue
      .remove(id)
      .catch((err: unknown) => this.logger.debug({ err, id }, 'finished job not removed'));
  }

  async process(handler: JobHandler): Promise<void> {
    if (this.closing) throw new JobQueueClosedError();
    if (this.worker) throw new Error('job queue is already processing');
    const worker = new Worker<unknown, void>(this.queueName, (job) => this.run(handler, job), {
      connection: this.connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? 16,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
    });
    worker.on('error', (err) => this.logger.warn({ err }, 'job worker error'));
    worker.on('stalled', (jobId) => this.logger.warn({ jobId }, 'job stalled; its worker died or hung'));
    worker.on('failed', (job, err) => {
      // finishedOn is set only when BullMQ gave the job up; otherwise a retry is scheduled.
      if (job?.finishedOn === undefined) this.logger.warn({ err, jobId: job?.id }, 'job attempt failed');
      else this.logger.error({ err, jobId: job.id, attempts: job.attemptsMade }, 'job gave up');
    });
    this.worker = worker;
    await worker.waitUntilReady();
  }

  private async run(handler: JobHandler, job: BullJob<unknown>): Promise<void> {
    const parsed = jobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id, name: job.name, issues: parsed.error.issues }, 'unparseable job');
      throw new UnrecoverableError('job data is not a Job');
    }
    await handler(parsed.data, { number: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
    this.logger.debug({ jobId: job.id, attempt: job.attemptsMade + 1 }, 'job done');
  }

  /** Jobs per state, for metrics and health checks. */
  async counts(): Promise<JobCounts> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  /** Whether Redis answers, for /readyz; bounded because commands otherwise wait for a reconnect forever. */
  async isReady(timeoutMs = 1000): Promise<boolean> {
    if (this.closing || this.connection.status !== 'ready') return false;
    return withTimeout(
      this.connection.ping().then(() => true),
      timeoutMs,
      false,
    ).catch(() => false);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.worker) {
      const finished = await withTimeout(
        this.worker.close().then(() => true),
        this.options.closeTimeoutMs ?? 30_000,
        false,
      );
      // Still-running jobs keep their lock until it expires; another worker then takes them over.
      if (!finished) this.logger.warn('job worker did not finish its running jobs in time');
    }
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
