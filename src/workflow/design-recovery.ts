import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { DesignEffects } from './design-effects.ts';

/**
 * Re-queues the next step of every unfinished design. Run at start (a crash may have lost in-process
 * jobs, or a commit may have happened just before its enqueue) and now and then while running (a queue
 * that was briefly down). Job ids make a step that is already queued a no-op.
 */
export async function resumeUnfinishedDesigns(db: Kysely<Database>, effects: DesignEffects): Promise<number> {
  const designs = await db
    .selectFrom('designs')
    .select(['id', 'state', 'iteration', 'round'])
    .where('state', 'in', ['generating_front', 'awaiting_approval', 'generating_views', 'finalizing'])
    .orderBy('updated_at')
    .execute();
  for (const design of designs) await effects.resume(design);
  return designs.length;
}
