import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../../../workflow/jobs/with-timeout.ts';
import { chatWorkSchema, type ChatWork, type ChatWorkHandler, type ChatWorkQueue } from './chat-work.ts';

export type BullMQChatWorkQueueOptions = {
  redisUrl: string;
  /** BullMQ key prefix (default 'bull'); tests use a unique one so that files can run in parallel. */
  prefix?: string | undefined;
  /** Default 'facet-chat-work'. */
  queueName?: string | undefined;
  /**
   * Pieces of work one process runs at once. Default 128: each mostly waits for the database and the
   * platform's API, and a burst of commands should not wait for slots (32 doubled the median time to a
   * card in the 200-interaction bench).
   */
  concurrency?: number | undefined;
  /**
   * The longest a burst's adds are held back while more keep coming (see add). Default 200 ms: about
   * the time to read 200 commands arriving together, against a card that takes seconds.
   */
  burstWaitMs?: number | undefined;
  /** How long close() waits for running work. Default 15 s. */
  closeTimeoutMs?: number | undefined;
  logger: Logger;
};

export const defaultChatWorkQueueName = 'facet-chat-work';

const defaultBurstWaitMs = 200;

/**
 * Chat work in Redis, for a web role (or a `--role all` whose workers run in a process of their own):
 * the receiving process adds, job-worker processes work. One attempt, and a piece whose worker died is
 * failed rather than run again (maxStalledCount 0): at most once, as the port asks.
 */
export class BullMQChatWorkQueue implements ChatWorkQueue {
  // Opened at the first use: a process whose platforms hand nothing over holds no connection for it.
  private opened: { connection: Redis; queue: Queue<ChatWork> } | undefined;
  private worker: Worker<ChatWork> | undefined;
  private closing: Promise<void> | undefined;
  /** Adds waiting for the end of a burst, to go to Redis together (see add). */
  private batch: Pending[] = [];
  /** Bulk adds scheduled or running: close() lets them finish first. */
  private readonly adding = new Set<Promise<void>>();

  constructor(private readonly options: BullMQChatWorkQueueOptions) {}

  private get name(): string {
    return this.options.queueName ?? defaultChatWorkQueueName;
  }

  private open(): { connection: Redis; queue: Queue<ChatWork> } {
    if (this.opened) return this.opened;
    const logger = this.options.logger;
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (err) => logger.warn({ err }, 'chat work redis connection error'));
    const queue = new Queue<ChatWork>(this.name, { connection, prefix: this.options.prefix });
    queue.on('error', (err) => logger.warn({ err }, 'chat work queue error'));
    this.opened = { connection, queue };
    return this.opened;
  }

  /**
   * Resolves once the work is in Redis. A burst of commands is read over a few turns of the event loop:
   * its adds are held until a turn passes that adds nothing more (or the first has waited
   * `burstWaitMs`), then go to Redis as one bulk add. One write instead of one per command on the loop
   * that acknowledges them, and the job workers (on the same machine with `--role all`) start on the
   * burst's work, and take the CPU for it, once the burst is acknowledged rather than between its
   * acknowledgements. A lone add waits for one more turn of the loop. A pipeline is not atomic: when the
   * bulk add fails, each piece is added again on its own under the same job id (BullMQ keeps the one
   * already stored), and only the pieces that still fail reject; their callers work on them instead, and
   * none is then also in Redis.
   */
  add(work: ChatWork): Promise<void> {
    if (this.closing) return Promise.reject(new Error('the chat work queue is closed'));
    return new Promise((resolve, reject) => {
      this.batch.push({ work, jobId: randomUUID(), resolve, reject });
      if (this.batch.length > 1) return;
      const heldSince = performance.now();
      const adding: Promise<void> = new Promise<void>((quiet) => this.afterQuietTurn(heldSince, 0, quiet))
        .then(() => this.addBatch())
        .finally(() => this.adding.delete(adding));
      this.adding.add(adding);
    });
  }

  /** Calls `quiet` after the first turn of the event loop in which the batch did not grow past `seen`. */
  private afterQuietTurn(heldSince: number, seen: number, quiet: () => void): void {
    setImmediate(() => {
      const grew = this.batch.length > seen;
      const held = performance.now() - heldSince;
      if (grew && !this.closing && held < (this.options.burstWaitMs ?? defaultBurstWaitMs))
        this.afterQuietTurn(heldSince, this.batch.length, quiet);
      else quiet();
    });
  }

  private async addBatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    let queue: Queue<ChatWork>;
    try {
      queue = this.open().queue;
    } catch (error) {
      // Nobody awaits this promise but the adds: they must hear of it, not the process.
      for (const { reject } of batch) reject(error);
      return;
    }
    try {
      await queue.addBulk(
        batch.map(({ work, jobId }) => ({ name: work.platform, data: work, opts: jobOptions(jobId) })),
      );
      for (const { resolve } of batch) resolve();
    } catch {
      await Promise.all(
        batch.map(({ work, jobId, resolve, reject }) =>
          queue.add(work.platform, work, jobOptions(jobId)).then(() => resolve(), reject),
        ),
      );
    }
  }

  async process(handler: ChatWorkHandler): Promise<void> {
    if (this.worker) throw new Error('chat work is already being processed');
    const logger = this.options.logger;
    this.worker = new Worker<ChatWork>(this.name, (job) => run(handler, job, logger), {
      connection: this.open().connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency ?? 128,
      maxStalledCount: 0,
    });
    this.worker.on('error', (err) => logger.warn({ err }, 'chat work worker error'));
    this.worker.on('failed', (job, err) =>
      logger.error({ err, jobId: job?.id, platform: job?.name }, 'chat work failed'),
    );
    await this.worker.waitUntilReady();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs ?? 15_000;
    // Work being added was acknowledged already: it reaches Redis (or its callers) before the connection goes.
    if (!(await settledWithin(Promise.all(this.adding), timeoutMs)))
      this.options.logger.warn('chat work still being added at shutdown');
    const worker = this.worker;
    if (worker && !(await settledWithin(worker.close(), timeoutMs)))
      this.options.logger.warn('chat work still running at shutdown');
    const opened = this.opened;
    if (!opened) return;
    await opened.queue.close();
    await opened.connection.quit().catch(() => opened.connection.disconnect());
  }
}

/** True when `promise` settled (either way) within `ms`; false when the time ran out first. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(
    promise.then(
      () => true,
      () => true,
    ),
    ms,
    false,
  );
}

type Pending = { work: ChatWork; jobId: string; resolve: () => void; reject: (error: unknown) => void };

function jobOptions(jobId: string) {
  return {
    jobId,
    attempts: 1,
    // Kept a minute once done, so that adding a piece again under its id (see add) finds it.
    removeOnComplete: { age: 60 },
    // Kept an hour to look at: they carry the platform's reply token (Discord's lives 15 minutes).
    removeOnFail: { age: 3600, count: 1000 },
  };
}

async function run(handler: ChatWorkHandler, job: Job<unknown>, logger: Logger): Promise<void> {
  const parsed = chatWorkSchema.safeParse(job.data);
  if (!parsed.success) {
    logger.error({ jobId: job.id, issues: parsed.error.issues.slice(0, 3) }, 'unreadable chat work');
    throw new UnrecoverableError('job data is not chat work');
  }
  await handler(parsed.data);
}
