import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { DesignRow } from './design-transitions.ts';
import type { RemainingView } from './views.ts';

export type ClaimedView = {
  design: DesignRow;
  /** The approved front view every remaining view is drawn from. */
  frontKey: string | null;
  /** Features extracted from the approved front view, unparsed; null when extraction has not happened. */
  features: unknown;
};

/**
 * Marks a view as generating (bumping the design's version, so cards show it) and reads everything its
 * prompt needs, in one statement: four hundred view jobs start at once when a hundred designs are
 * approved together. Undefined when there is nothing to do: the design moved on, or the view is done.
 */
export async function claimView(
  db: Kysely<Database>,
  claim: { designId: string; view: RemainingView; round: number; now: Date },
): Promise<ClaimedView | undefined> {
  const row = await db
    .with('claimed', (db) =>
      db
        .updateTable('design_views')
        .set((eb) => ({
          state: 'generating',
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(claim.now)),
        }))
        .where('design_id', '=', claim.designId)
        .where('view', '=', claim.view)
        .where('round', '=', claim.round)
        .where('state', '!=', 'done')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('designs')
              .select('designs.id')
              .where('designs.id', '=', claim.designId)
              .where('designs.state', '=', 'generating_views')
              .where('designs.round', '=', claim.round),
          ),
        )
        .returning('design_id'),
    )
    .with('bumped', (db) =>
      db
        .updateTable('designs')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: claim.now }))
        .where('id', 'in', (eb) => eb.selectFrom('claimed').select('design_id'))
        .returningAll(),
    )
    .selectFrom('bumped')
    .innerJoin('workspaces', 'workspaces.id', 'bumped.workspace_id')
    .selectAll('bumped')
    .select('workspaces.approver_group')
    .select((eb) => [
      eb
        .selectFrom('design_views')
        .select('design_views.image_key')
        .whereRef('design_views.design_id', '=', 'bumped.id')
        .where('design_views.view', '=', 'front')
        .where('design_views.state', '=', 'done')
        .as('front_key'),
      eb
        .selectFrom('design_iterations')
        .select('design_iterations.features')
        .whereRef('design_iterations.design_id', '=', 'bumped.id')
        .whereRef('design_iterations.iteration', '=', 'bumped.iteration')
        .as('front_features'),
    ])
    .executeTakeFirst();
  if (!row) return undefined;
  const { front_key: frontKey, front_features: features, ...design } = row;
  return { design, frontKey, features };
}
