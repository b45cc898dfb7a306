import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { RemainingView } from '../views.ts';

/*
 * What people's commands (DesignService: edit, approve, retry, edit one view) write beside the state, each
 * inside the compare-and-set transition it belongs to (the transaction passes itself as `db`): a lost
 * race rolls it back with the transition.
 */

type Executor = Kysely<Database>;

/** The iteration an edit asks for (a preset or feedback); its image is stored when its front job is done. */
export async function insertEditIteration(
  trx: Executor,
  iteration: {
    designId: string;
    iteration: number;
    preset: string | null;
    feedback: string | null;
    requestedBy: string;
    createdAt: Date;
  },
): Promise<void> {
  await trx
    .insertInto('design_iterations')
    .values({
      design_id: iteration.designId,
      iteration: iteration.iteration,
      preset: iteration.preset,
      feedback: iteration.feedback,
      requested_by: iteration.requestedBy,
      created_at: iteration.createdAt,
    })
    .execute();
}

/** Approval's view writes; undefined when the approved iteration has no image. */
export async function approveFrontView(
  trx: Executor,
  approval: { designId: string; iteration: number; now: Date },
) {
  const { designId, iteration, now } = approval;
  // One statement: the approved iteration's image becomes the front view, and the other views are
  // shown as generating at once (their jobs are queued together right after): the view jobs then
  // need not touch the design row, which four of them would otherwise queue on.
  return trx
    .with('approved', (db) =>
      db
        .selectFrom('design_iterations')
        .select('image_key')
        .where('design_id', '=', designId)
        .where('iteration', '=', iteration)
        .where('image_key', 'is not', null),
    )
    .with('others', (db) =>
      db
        .updateTable('design_views')
        .set({ state: 'generating', error: null, started_at: now })
        .where('design_id', '=', designId)
        .where('view', '!=', 'front')
        .where('state', '!=', 'done')
        .returning('view'),
    )
    .updateTable('design_views')
    .from('approved')
    .set((eb) => ({
      state: 'done',
      image_key: eb.ref('approved.image_key'),
      attempts: 1,
      error: null,
      finished_at: now,
    }))
    .where('design_views.design_id', '=', designId)
    .where('design_views.view', '=', 'front')
    .returning('design_views.image_key')
    .executeTakeFirst();
}

/** A retried design's failed or interrupted views wait again (the failed phase resumes). */
export async function resetUnfinishedViews(trx: Executor, designId: string): Promise<void> {
  await trx
    .updateTable('design_views')
    .set({ state: 'pending', error: null })
    .where('design_id', '=', designId)
    .where('state', 'in', ['failed', 'generating'])
    .execute();
}

/** One view of a completed design, emptied to be drawn again in a new round. */
export async function resetViewForRound(
  trx: Executor,
  reset: { designId: string; view: RemainingView; round: number; instruction: string | null },
): Promise<void> {
  await trx
    .updateTable('design_views')
    .set({ state: 'pending', image_key: null, attempts: 0, error: null, round: reset.round })
    .set({ instruction: reset.instruction })
    .set({ started_at: null, finished_at: null })
    .where('design_id', '=', reset.designId)
    .where('view', '=', reset.view)
    .execute();
}
