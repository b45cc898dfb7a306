import type { Kysely } from 'kysely';
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
