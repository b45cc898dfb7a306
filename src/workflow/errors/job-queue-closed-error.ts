/**
 * A job offered to a queue that is shutting down. Expected at every stop: a step that finishes while the
 * process closes cannot queue the next; the state is committed and the next start queues it again.
 */
export class JobQueueClosedError extends Error {
  override name = 'JobQueueClosedError';
  constructor() {
    super('job queue is closed');
  }
}
