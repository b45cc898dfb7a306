import type { JobCounts } from '../jobs/job-counts.ts';
import type { ViewName } from '../views.ts';

/** Every job names the design state it works towards; running one twice must have the effect of once. */
export type Job =
  | { kind: 'front'; designId: string; iteration: number }
  | { kind: 'view'; designId: string; view: ViewName; round: number }
  | { kind: 'finalize'; designId: string; round: number }
  /**
   * After completion, off the critical path: the design is done (and paid) once its views exist. Makes the
   * round's contact sheet and spec sheet (the kind keeps its first name: queued jobs carry it).
   */
  | { kind: 'contact_sheet'; designId: string; round: number }
  | { kind: 'expire'; designId: string; iteration: number };

export type JobAttempt = { number: number; maxAttempts: number };

/** Throw to have the job retried with backoff (until maxAttempts); return to complete it. */
export type JobHandler = (job: Job, attempt: JobAttempt) => Promise<void>;

export interface JobQueue {
  readonly name: string;
  /** Adding a job whose id is already queued or running does nothing. */
  enqueue(job: Job, options?: { delayMs?: number }): Promise<void>;
  /** Starts taking jobs (a queue can be used to enqueue only, e.g. by a web process). */
  process(handler: JobHandler): Promise<void>;
  /** Stops taking jobs, lets running ones finish, and closes connections. */
  close(): Promise<void>;
  /** Jobs per state, for /metrics. */
  counts(): Promise<JobCounts>;
  /** Whether the queue's store answers, for /readyz. */
  isReady(): Promise<boolean>;
}

/** Deterministic ids: the same step of the same design always has the same id. */
export function jobId(job: Job): string {
  switch (job.kind) {
    case 'front':
      return `front:${job.designId}:${job.iteration}`;
    case 'view':
      return job.round === 1
        ? `view:${job.designId}:${job.view}`
        : `view:${job.designId}:${job.view}-r${job.round}`;
    case 'finalize':
      return job.round === 1 ? `finalize:${job.designId}` : `finalize:${job.designId}:r${job.round}`;
    case 'contact_sheet':
      return job.round === 1 ? `sheet:${job.designId}` : `sheet:${job.designId}:r${job.round}`;
    case 'expire':
      return `expire:${job.designId}:${job.iteration}`;
  }
}
