import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../storage/schema.ts';
import { findFrontStoredAt, lacksContactSheet, listUnfinishedViews } from './store/design-statements.ts';
import type { DesignRow } from './design-transitions.ts';
import { jobId, type Job, type JobQueue } from './ports/job-queue.ts';
import type { Notifier } from './ports/notifier.ts';
import { SnapshotPublisher } from './snapshot-publisher.ts';
import type { WorkflowOutcome } from './workflow-outcome.ts';
import { JobQueueClosedError } from './errors/job-queue-closed-error.ts';

type EffectDeps = {
  db: Kysely<Database>;
  jobs: JobQueue;
  notifier: Notifier;
  clock: Clock;
  holdTtlMs: number;
  logger: Logger;
};

/**
 * What follows a committed change: the jobs its state needs and a notification. Both are safe to
 * repeat (job ids are deterministic, cards re-render whole), which is what lets recovery call `resume`
 * for every unfinished design after a crash.
 */
export class DesignEffects {
  private readonly publisher: SnapshotPublisher;

  constructor(private readonly deps: EffectDeps) {
    this.publisher = new SnapshotPublisher(deps.db, deps.notifier, deps.logger);
  }

  /** `known.frontShownAt`: when the current front view was stored, if the caller has just committed it. */
  async resume(
    design: Pick<DesignRow, 'id' | 'state' | 'iteration' | 'round'>,
    known: { frontShownAt?: Date } = {},
  ): Promise<void> {
    switch (design.state) {
      case 'generating_front':
        return this.enqueue({ kind: 'front', designId: design.id, iteration: design.iteration });
      case 'generating_views': {
        const views = await listUnfinishedViews(this.deps.db, design.id);
        // Side by side: the views are generated in parallel, so they should start together too.
        await Promise.all(
          views.map((view) => this.enqueue({ kind: 'view', designId: design.id, view, round: design.round })),
        );
        return;
      }
      case 'finalizing':
        return this.enqueue({ kind: 'finalize', designId: design.id, round: design.round });
      case 'completed': {
        if (!(await lacksContactSheet(this.deps.db, design.id, design.round))) return;
        return this.enqueue({ kind: 'contact_sheet', designId: design.id, round: design.round });
      }
      case 'awaiting_approval': {
        const frontStoredAt =
          known.frontShownAt ?? (await findFrontStoredAt(this.deps.db, design.id, design.iteration));
        const shownAt = frontStoredAt?.getTime() ?? this.deps.clock().getTime();
        const delayMs = Math.max(0, shownAt + this.deps.holdTtlMs - this.deps.clock().getTime());
        return this.enqueue({ kind: 'expire', designId: design.id, iteration: design.iteration }, delayMs);
      }
      default:
        return;
    }
  }

  /** A queue that is briefly down loses nothing: the state is committed and the reconciler re-queues. */
  async enqueue(job: Job, delayMs?: number): Promise<void> {
    try {
      await this.deps.jobs.enqueue(job, delayMs === undefined ? undefined : { delayMs });
    } catch (error) {
      if (error instanceof JobQueueClosedError)
        this.deps.logger.info({ job: jobId(job) }, 'stopping: the next step is queued at the next start');
      else
        this.deps.logger.warn({ err: error, job: jobId(job) }, 'could not queue a job; the reconciler will');
    }
  }

  /** Loads the design as committed and shows it; returns it as the command's answer. */
  async changed(designId: string): Promise<WorkflowOutcome> {
    const design = await this.publisher.publishNow(designId);
    return design ? { ok: true, design } : { ok: false, reason: 'not_found' };
  }

  /** Shows the design soon, coalesced with other changes to it: for jobs, which answer no one. */
  changedInBackground(designId: string): void {
    this.publisher.publish(designId);
  }

  /** Resolves once every change so far has been shown (shutdown, tests). */
  flush(): Promise<void> {
    return this.publisher.flush();
  }
}
