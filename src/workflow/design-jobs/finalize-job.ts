import { insertRevision, listViewImages } from '../store/design-statements.ts';
import type { DesignRow } from '../design-transitions.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { viewNames } from '../views.ts';
import { attemptStep } from './attempt-step.ts';
import type { JobDeps } from './job-deps.ts';

/** finalize:<design>: records the revision and captures the hold once all five views exist. */
export class FinalizeJob {
  constructor(private readonly deps: JobDeps) {}

  /** Records the revision and captures the hold: quick, so completion follows the last view at once. */
  async run(designId: string, round: number, attempt: JobAttempt, loaded?: DesignRow): Promise<void> {
    const { db, transitions } = this.deps;
    const design = loaded ?? (await transitions.load(db, designId));
    if (design?.state !== 'finalizing' || design.round !== round) return;
    const views = await listViewImages(db, designId);
    const keys = Object.fromEntries(views.map((row) => [row.view, row.image_key ?? '']));
    const missing = viewNames.filter((view) => !keys[view]);
    const done = await attemptStep(this.deps, {
      design,
      phase: 'finalize',
      attempt,
      failure: { type: 'finalize_failed' },
      step: () => {
        if (missing.length > 0)
          throw new PermanentError('invalid_input', `Views without an image: ${missing.join(', ')}.`);
        return Promise.resolve(true);
      },
    });
    if (!done) return;
    const now = this.deps.clock();
    const result = await transitions.apply(designId, { type: 'finalized' }, (row) => ({
      patch: { finished_at: now },
      write: (trx) =>
        insertRevision(trx, {
          designId,
          number: round,
          imageKeys: keys,
          charged: row.hold_id === null ? 0 : row.hold_amount,
          approvedBy: row.approved_by,
          createdAt: now,
        }),
    }));
    if (!result.ok) return;
    this.deps.effects.changedInBackground(designId);
    // The revision was just written without a sheet (or an earlier run's is there: the job skips it).
    await this.deps.effects.enqueue({ kind: 'contact_sheet', designId, round });
  }
}
