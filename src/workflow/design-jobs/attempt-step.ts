import { recordViewError } from '../store/design-statements.ts';
import type { DesignRow } from '../design-transitions.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import type { DesignEvent } from '../machine/design-event.ts';
import type { FailedPhase } from '../machine/design-state.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import type { RemainingView } from '../views.ts';
import type { JobDeps } from './job-deps.ts';

const failureMessages: Record<FailedPhase, string> = {
  front: 'The front view could not be generated.',
  views: 'A view could not be generated.',
  finalize: 'The finished design could not be assembled.',
};

export type StepAttempt<T> = {
  design: DesignRow;
  phase: FailedPhase;
  /** The queue's attempt: the last one fails the design instead of being retried. */
  attempt: JobAttempt;
  /** The event that fails the design when the step fails for good. */
  failure: DesignEvent;
  step: () => Promise<T>;
  /** The view the step generates: its row shows the error. */
  view?: RemainingView;
};

/**
 * Runs a model step. Returns its result, or undefined once the design has been failed (permanent
 * error, or the last attempt); rethrows a transient error for the queue to retry.
 */
export async function attemptStep<T>(
  deps: JobDeps,
  { design, phase, attempt, failure, step, view }: StepAttempt<T>,
): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    const permanent = error instanceof PermanentError;
    const last = attempt.number >= attempt.maxAttempts;
    const logContext = { err: error, designId: design.id, phase, view, attempt: attempt.number };
    if (!permanent && !last) {
      deps.logger.warn(logContext, 'a generation step failed; it will be retried');
      if (view) {
        await recordViewError(deps.db, {
          designId: design.id,
          view,
          error: describe(error),
          state: 'generating',
          finishedAt: null,
        });
      }
      throw error;
    }
    deps.logger.error(logContext, 'a generation step failed for good; the design fails');
    const message = permanent
      ? error.userMessage
      : `${failureMessages[phase]} The service did not answer in time.`;
    const result = await deps.transitions.apply(design.id, failure, () => ({
      patch: {
        failure_kind: permanent ? error.kind : 'unavailable',
        failure_message: message,
        failed_phase: phase,
      },
      write: view
        ? (trx) =>
            recordViewError(trx, {
              designId: design.id,
              view,
              error: message,
              state: 'failed',
              finishedAt: deps.clock(),
            })
        : undefined,
    }));
    if (result.ok) deps.effects.changedInBackground(design.id);
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
}
