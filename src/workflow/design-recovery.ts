import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { DesignEffects } from './design-effects.ts';

/**
 * Re-queues the next step of every unfinished design (and every missing contact sheet). Run at start (a crash may have lost in-process
 * jobs, or a commit may have happened just before its enqueue) and now and then while running (a queue
 * that was briefly down). Job ids make a step that is already queued a no-op.
 */
export async function resumeUnfinishedDesigns(db: Kysely<Database>, effects: DesignEffects): Promise<number> {
  const designs = await db
    .selectFrom('designs')
    .select(['id', 'state', 'iteration', 'round'])
    .where((eb) =>
      eb.or([
        eb('state', 'in', ['generating_front', 'awaiting_approval', 'generating_views', 'finalizing']),
        // Complete, but its contact sheet was never made (a crash right after completion).
        eb.and([
          eb('state', '=', 'completed'),
          eb.exists(
            eb
              .selectFrom('revisions')
              .select('revisions.number')
              .whereRef('revisions.design_id', '=', 'designs.id')
              .whereRef('revisions.number', '=', 'designs.round')
              .where('revisions.contact_sheet_key', 'is', null),
          ),
        ]),
      ]),
    )
    .orderBy('updated_at')
    .execute();
  for (const design of designs) await effects.resume(design);
  return designs.length;
}

/**
 * Shows again every design whose chat card fell behind its last change: the process that made the
 * change died before updating the card, or the platform refused every try. Recent ones only; a
 * change is first given a few seconds to be shown the usual way.
 */
export async function reshowStaleCards(db: Kysely<Database>, effects: DesignEffects): Promise<number> {
  const stale = await db
    .selectFrom('designs')
    .select('id')
    .where('shown_version', 'is not', null)
    .whereRef('shown_version', '<', 'version')
    .where('updated_at', '<', sql<Date>`now() - interval '15 seconds'`)
    .where('updated_at', '>', sql<Date>`now() - interval '1 hour'`)
    .limit(500)
    .execute();
  for (const { id } of stale) effects.changedInBackground(id);
  return stale.length;
}
