import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

/*
 * Front-view candidates (migration 0017): each drawn image is recorded on its own as soon as it is
 * stored, so a front job that runs again draws only the ones missing; the iteration's image is the
 * picked candidate's, so approval, the edits and the other views read `design_iterations.image_key` as
 * they always have. A transaction passes itself as `db`.
 */

type Executor = Kysely<Database>;

export type StoredCandidate = { candidate: number; imageKey: string };

/** Records one stored candidate; a second run of the same draw records nothing more. */
export async function insertCandidate(
  db: Executor,
  stored: { designId: string; iteration: number; candidate: number; imageKey: string; now: Date },
): Promise<void> {
  await db
    .insertInto('front_candidates')
    .values({
      design_id: stored.designId,
      iteration: stored.iteration,
      candidate: stored.candidate,
      image_key: stored.imageKey,
      created_at: stored.now,
    })
    .onConflict((conflict) => conflict.columns(['design_id', 'iteration', 'candidate']).doNothing())
    .execute();
}

/** The candidates of one iteration stored so far, in order. */
export async function listCandidates(
  db: Executor,
  designId: string,
  iteration: number,
): Promise<StoredCandidate[]> {
  const rows = await db
    .selectFrom('front_candidates')
    .select(['candidate', 'image_key'])
    .where('design_id', '=', designId)
    .where('iteration', '=', iteration)
    .orderBy('candidate')
    .execute();
  return rows.map((row) => ({ candidate: row.candidate, imageKey: row.image_key }));
}

/**
 * The iteration's front view is ready (inside its front_ready transition): with one candidate it is the
 * iteration's image at once, picked; with several the image waits for a pick.
 */
export async function recordCandidatesReady(
  db: Executor,
  ready: { designId: string; iteration: number; candidates: StoredCandidate[]; completedAt: Date },
): Promise<void> {
  const only = ready.candidates.length === 1 ? ready.candidates[0] : undefined;
  await db
    .updateTable('design_iterations')
    .set({
      completed_at: ready.completedAt,
      image_key: only?.imageKey ?? null,
      picked: only?.candidate ?? null,
    })
    .where('design_id', '=', ready.designId)
    .where('iteration', '=', ready.iteration)
    .execute();
}

/**
 * Makes a candidate the iteration's front view (inside the pick transition); false when that candidate
 * was never stored.
 */
export async function pickCandidate(
  trx: Executor,
  pick: { designId: string; iteration: number; candidate: number },
): Promise<boolean> {
  const picked = await trx
    .updateTable('design_iterations')
    .from('front_candidates')
    .set((eb) => ({ picked: pick.candidate, image_key: eb.ref('front_candidates.image_key') }))
    .whereRef('front_candidates.design_id', '=', 'design_iterations.design_id')
    .whereRef('front_candidates.iteration', '=', 'design_iterations.iteration')
    .where('front_candidates.candidate', '=', pick.candidate)
    .where('design_iterations.design_id', '=', pick.designId)
    .where('design_iterations.iteration', '=', pick.iteration)
    .returning('design_iterations.picked')
    .executeTakeFirst();
  return picked !== undefined;
}
