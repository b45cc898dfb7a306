import type { Kysely } from 'kysely';
import { compiledOnce } from '../../storage/compiled-once.ts';
import type { Database } from '../../storage/schema.ts';
import type { RemainingView } from '../views.ts';
import type { DesignRow } from './transition-statements.ts';

export type ClaimedView = {
  design: DesignRow;
  /** The approved front view every remaining view is drawn from. */
  frontKey: string | null;
  /** Features extracted from the approved front view, unparsed; null when extraction has not happened. */
  features: unknown;
  /** Whether the claim changed what the card shows (the view was not shown as generating yet). */
  shown: boolean;
  /** What the requester asked to change in this view (a regenerated view), if anything. */
  instruction: string | null;
};

/**
 * Marks a view as generating and reads everything its prompt needs, in one statement: four hundred view
 * jobs start at once when a hundred designs are approved together. Approval already shows its views as
 * generating, so the design row is left alone then; a view claimed from another state (a retry, a
 * regenerated view) bumps the design's version so that cards show it. Undefined when there is nothing to
 * do: the design moved on, or the view is done.
 */
export async function claimView(
  db: Kysely<Database>,
  claim: { designId: string; view: RemainingView; round: number; now: Date },
): Promise<ClaimedView | undefined> {
  const [row] = await claimOnce(db, claim);
  if (!row) return undefined;
  const {
    front_key: frontKey,
    front_features: features,
    bumped_version,
    bumped_at,
    instruction,
    ...design
  } = row;
  // The outer select reads the design as it was before the statement; a bump is taken from its own result.
  if (bumped_version === null || bumped_at === null)
    return { design, frontKey, features, shown: false, instruction };
  return {
    design: { ...design, version: bumped_version, updated_at: bumped_at },
    frontKey,
    features,
    shown: true,
    instruction,
  };
}

const claimOnce = compiledOnce(
  { designId: 'string', view: 'string', round: 'number', now: 'date' },
  (db, { view, ...claim }) =>
    db
      // Every part of one statement reads the rows as they were before it: this is the view's prior state.
      .with('prior', (db) =>
        db
          .selectFrom('design_views')
          .select('state')
          .where('design_id', '=', claim.designId)
          .where('view', '=', view as RemainingView)
          .where('round', '=', claim.round),
      )
      .with('claimed', (db) =>
        db
          .updateTable('design_views')
          .set((eb) => ({
            state: 'generating',
            attempts: eb('attempts', '+', 1),
            started_at: eb.fn.coalesce('started_at', eb.val(claim.now)),
          }))
          .where('design_id', '=', claim.designId)
          .where('view', '=', view as RemainingView)
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
          .returning(['design_id', 'instruction']),
      )
      .with('bumped', (db) =>
        db
          .updateTable('designs')
          .set((eb) => ({ version: eb('version', '+', 1), updated_at: claim.now }))
          .where('id', 'in', (eb) => eb.selectFrom('claimed').select('design_id'))
          .where((eb) => eb.exists(eb.selectFrom('prior').select('state').where('state', '!=', 'generating')))
          .returning(['version', 'updated_at']),
      )
      .selectFrom('designs')
      .innerJoin('workspaces', 'workspaces.id', 'designs.workspace_id')
      .selectAll('designs')
      .select(['workspaces.approver_group', 'workspaces.requesters_approve'])
      .select((eb) => [
        eb
          .selectFrom('design_views')
          .select('design_views.image_key')
          .whereRef('design_views.design_id', '=', 'designs.id')
          .where('design_views.view', '=', 'front')
          .where('design_views.state', '=', 'done')
          .as('front_key'),
        eb
          .selectFrom('design_iterations')
          .select('design_iterations.features')
          .whereRef('design_iterations.design_id', '=', 'designs.id')
          .whereRef('design_iterations.iteration', '=', 'designs.iteration')
          .as('front_features'),
        eb
          .selectFrom('design_iterations')
          .select('design_iterations.picked')
          .whereRef('design_iterations.design_id', '=', 'designs.id')
          .whereRef('design_iterations.iteration', '=', 'designs.iteration')
          .as('picked'),
        eb.selectFrom('claimed').select('claimed.instruction').as('instruction'),
        eb.selectFrom('bumped').select('bumped.version').as('bumped_version'),
        eb.selectFrom('bumped').select('bumped.updated_at').as('bumped_at'),
      ])
      .where('designs.id', 'in', (eb) => eb.selectFrom('claimed').select('design_id')),
);
