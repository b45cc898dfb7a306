import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Job, JobHandler, JobQueue } from '../ports/job-queue.ts';
import { bullmqJobId } from './bullmq-job-id.ts';
import { defaultOffPathConcurrency, jobLane, type JobLane } from './job-lane.ts';
import type { JobCounts } from './job-counts.ts';
import { jobSchema } from './job-schema.ts';
import { withTimeout } from './with-timeout.ts';
import { JobQueueClosedError } from '../errors/job-queue-closed-error.ts';

export type BullMQJobQueueOptions = {
  redisUrl: string;
  /** Default 'facet-jobs' (and 'facet-jobs-off-path' for sheets). */
  queueName?: string;
  /** BullMQ key prefix (default 'bull'); tests use a unique one so that files can run in parallel. */
  prefix?: string;
  /** Critical-path jobs run at once by this process's worker. Default 16. */
  concurrency?: number;
  /** Off-path jobs (sheets) run at once by this process, in a queue of their own. Default 2. */
  offPathConcurrency?: number;
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

const defaultQueueName = 'facet-jobs';

/** The critical lane keeps the queue's first name, so jobs queued by an older version still run. */
function bullmqQueueName(name: string, lane: JobLane): string {
  return lane === 'critical' ? name : `${name}-off-path`;
}

/** Every BullMQ queue a BullMQJobQueue of this name uses (for tools that inspect or clear them). */
export function bullmqQueueNames(name = defaultQueueName): string[] {
  return [bullmqQueueName(name, 'critical'), bullmqQueueName(name, 'off_path')];
}

// Finished jobs must disappear so that their id can be enqueued again; failed ones are kept a while to look at.
const keepFailed = { age: 7 * 24 * 3600, count: 1000 };

/** The job queue for several processes: jobs live in Redis and survive restarts and crashed workers. */
export class BullMQJobQueue implements JobQueue {
  readonly name = 'bullmq';
  private readonly connection: Redis;
  private readonly queues: Record<JobLane, Queue<Job, void, Job['kind']>>;
  private readonly logger: Logger;
  private workers: Worker<unknown, void>[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullMQJobQueueOptions) {
    this.logger = options.logger ?? pino({ enabled: false });
    // Without maxRetriesPerRequest: null a worker's blocking commands fail during a Redis outage instead of
    // waiting for the reconnect. BullMQ shares this connection and duplicates it for the blocking one.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', (err) => this.logger.warn({ err }, 'redis connection error'));
    this.queues = { critical: this.openQueue('critical'), off_path: this.openQueue('off_path') };
  }

  private openQueue(lane: JobLane): Queue<Job, void, Job['kind']> {
    const queue = new Queue<Job, void, Job['kind']>(this.queueName(lane), {
      connection: this.connection,
      prefix: this.options.prefix,
    });
    queue.on('error', (err) => this.logger.warn({ err, lane }, 'job queue error'));
    return queue;
  }

  private queueName(lane: JobLane): string {
    return bullmqQueueName(this.options.queueName ?? defaultQueueName, lane);
  }

  async enqueue(job: Job, options?: { delayMs?: number }): Promise<void> {
    if (this.closing) throw new JobQueueClosedError();
    const id = bullmqJobId(job);
    const queue = this.queues[jobLane(job)];
    await this.removeIfFinished(queue, id);
    // BullMQ ignores an add whose id exists, which is the dedupe the port asks for.
    await queue.add(job.kind, job, {
      jobId: id,
      delay: options?.delayMs,
      attempts: this.options.attempts ?? 5,
      backoff: { type: 'exponential', delay: this.options.backoffMs ?? 1000 },
      removeOnComplete: true,
      removeOnFail: keepFailed,
    });
  }

  /** A job that gave up is kept for inspection, but it is not queued any more: the step may be tried again. */
  private async removeIfFinished(queue: Queue<Job, void, Job['kind']>, id: string): Promise<void> {
    const state = await queue.getJobState(id);
    if (state !== 'failed' && state !== 'completed') return;
    // A concurrent enqueue may have replaced it already and a worker locked it: then it is running, as wanted.
    await queue
      .remove(id)
      .catch((err: unknown) => this.logger.debug({ err, id }, 'finished job not removed'));
  }

  async process(handler: JobHandler): Promise<void> {
    if (this.closing) throw new JobQueueClosedError();
    if (this.workers.length > 0) throw new Error('job queue is already processing');
    this.workers = [
      this.startWorker('critical', handler, this.options.concurrency ?? 16),
      this.startWorker('off_path', handler, this.options.offPathConcurrency ?? defaultOffPathConcurrency),
    ];
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  private startWorker(lane: JobLane, handler: JobHandler, concurrency: number): Worker<unknown, void> {
    const worker = new Worker<unknown, void>(this.queueName(lane), (job) => this.run(handler, job), {
      connection: this.connection,
      prefix: this.options.prefix,
      concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
    });
    worker.on('error', (err) => this.logger.warn({ err, lane }, 'job worker error'));
    worker.on('stalled', (jobId) => this.logger.warn({ jobId }, 'job stalled; its worker died or hung'));
    worker.on('failed', (job, err) => {
      // finishedOn is set only when BullMQ gave the job up; otherwise a retry is scheduled.
      if (job?.finishedOn === undefined) this.logger.warn({ err, jobId: job?.id }, 'job attempt failed');
      else this.logger.error({ err, jobId: job.id, attempts: job.attemptsMade }, 'job gave up');
    });
    return worker;
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
    const lanes = await Promise.all(
      Object.values(this.queues).map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'failed')),
    );
    const sum = (state: keyof JobCounts) => lanes.reduce((total, counts) => total + (counts[state] ?? 0), 0);
    return { waiting: sum('waiting'), active: sum('active'), delayed: sum('delayed'), failed: sum('failed') };
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
    if (this.workers.length > 0) {
      const finished = await withTimeout(
        Promise.all(this.workers.map((worker) => worker.close())).then(() => true),
        this.options.closeTimeoutMs ?? 30_000,
        false,
      );
      // Still-running jobs keep their lock until it expires; another worker then takes them over.
      if (!finished) this.logger.warn('job worker did not finish its running jobs in time');
    }
    await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
