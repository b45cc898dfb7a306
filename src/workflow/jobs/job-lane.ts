import type { Job } from '../ports/job-queue.ts';

/**
 * Which slots a job runs in. Sheets are made after a design is complete and wait their turn behind the
 * critical path (CriticalPathGate): in the critical lane, a burst of them held most of a worker's slots
 * while waiting, and fronts and views queued behind them. Their own lane, with few slots, keeps them
 * waiting in the queue instead.
 */
export type JobLane = 'critical' | 'off_path';

export function jobLane(job: Job): JobLane {
  return job.kind === 'contact_sheet' ? 'off_path' : 'critical';
}

/** Sheets render one at a time per process anyway; a second slot loads the next while one renders. */
export const defaultOffPathConcurrency = 2;
