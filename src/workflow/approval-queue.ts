import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { approvalReach, mayAct, type Actor, type ApprovalPolicy } from './actor.ts';
import { listAwaitingApproval } from './store/approval-queue-statements.ts';
import { findWorkspaceById } from './store/workspace-statements.ts';

/** A design that waits for someone's approval, as a list of them shows it. */
export type AwaitingApproval = {
  designId: string;
  prompt: string;
  requesterId: string;
  /** The iteration an Approve or Decline is for (the one its buttons carry). */
  iteration: number;
  /** The front view waiting to be approved, by image-store key; null if it has none (it always should). */
  imageKey: string | null;
  /** Credits reserved for it, charged on completion. */
  held: number;
  waitingSince: Date;
  /** Whether this reader may decline it too (approvers and admins, never its requester). */
  mayDecline: boolean;
};

/** At most `limit` of them, oldest first; `more` when others wait beyond those. */
export type ApprovalQueueView = { designs: AwaitingApproval[]; more: boolean };

/**
 * "What waits for my approval": the designs of a workspace awaiting approval that one person may
 * approve, by the workspace's policy now, with the same rule the Approve button is checked with (mayAct).
 */
export class ApprovalQueue {
  constructor(private readonly db: Kysely<Database>) {}

  async waitingFor(query: { workspaceId: string; actor: Actor; limit: number }): Promise<ApprovalQueueView> {
    const workspace = await findWorkspaceById(this.db, query.workspaceId);
    if (!workspace) return { designs: [], more: false };
    const policy: ApprovalPolicy = {
      approverGroup: workspace.approver_group,
      requestersApprove: workspace.requesters_approve,
    };
    const reach = approvalReach(query.actor, policy);
    // One more than asked for says whether there are more.
    const rows = await listAwaitingApproval(this.db, {
      workspaceId: query.workspaceId,
      userId: query.actor.userId,
      ...reach,
      limit: query.limit + 1,
    });
    return {
      designs: rows.slice(0, query.limit).map((row) => ({
        designId: row.id,
        prompt: row.prompt,
        requesterId: row.requester_id,
        iteration: row.iteration,
        imageKey: row.image_key,
        held: row.held,
        waitingSince: new Date(row.waiting_since),
        mayDecline: mayAct('decline', query.actor, row.requester_id, policy),
      })),
      more: rows.length > query.limit,
    };
  }
}
