import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { DesignEffects } from './design-effects.ts';
import { findStaleCardDesigns, findUnfinishedDesigns } from './store/design-statements.ts';

/**
 * Re-queues the next step of every unfinished design (and every missing contact sheet). Run at start (a crash may have lost in-process
 * jobs, or a commit may have happened just before its enqueue) and now and then while running (a queue
 * that was briefly down). Job ids make a step that is already queued a no-op.
 */
export async function resumeUnfinishedDesigns(db: Kysely<Database>, effects: DesignEffects): Promise<number> {
  const designs = await findUnfinishedDesigns(db);
  for (const design of designs) await effects.resume(design);
  return designs.length;
}

/**
 * Shows again every design whose chat card fell behind its last change: the process that made the
 * change died before updating the card, or the platform refused every try. Recent ones only; a
 * change is first given a few seconds to be shown the usual way.
 */
export async function reshowStaleCards(db: Kysely<Database>, effects: DesignEffects): Promise<number> {
  const stale = await findStaleCardDesigns(db);
  for (const id of stale) effects.changedInBackground(id);
  return stale.length;
}
