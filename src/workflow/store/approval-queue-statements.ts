import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { heldCredits } from './workspace-statements.ts';

/*
 * The read behind "waiting for my approval" (ApprovalQueue): a workspace's designs awaiting approval,
 * the ones a person may approve, oldest first. designs_awaiting_approval (migration 0014) holds exactly
 * these rows.
 */

export type AwaitingApprovalQuery = {
  workspaceId: string;
  userId: string;
  /** Whether the person's own designs count (the policy lets requesters approve theirs). */
  own: boolean;
  /** Whether other people's designs count (an approver or an admin). */
  others: boolean;
  limit: number;
};

/**
 * Waiting since: when the shown iteration's front view was finished (the design then began to wait);
 * its last change where the iteration row has no time.
 */
export async function listAwaitingApproval(db: Kysely<Database>, query: AwaitingApprovalQuery) {
  if (!query.own && !query.others) return [];
  const waitingSince = sql<Date>`coalesce(design_iterations.completed_at, designs.updated_at)`;
  let select = db
    .selectFrom('designs')
    .leftJoin('credit_holds', 'credit_holds.id', 'designs.hold_id')
    .leftJoin('design_iterations', (join) =>
      join
        .onRef('design_iterations.design_id', '=', 'designs.id')
        .onRef('design_iterations.iteration', '=', 'designs.iteration'),
    )
    .select([
      'designs.id',
      'designs.prompt',
      'designs.requester_id',
      'designs.iteration',
      'design_iterations.image_key',
      heldCredits.as('held'),
      waitingSince.as('waiting_since'),
    ])
    .where('designs.workspace_id', '=', query.workspaceId)
    .where('designs.state', '=', 'awaiting_approval');
  if (!query.own) select = select.where('designs.requester_id', '<>', query.userId);
  if (!query.others) select = select.where('designs.requester_id', '=', query.userId);
  return select.orderBy(waitingSince).orderBy('designs.id').limit(query.limit).execute();
}
