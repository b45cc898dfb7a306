/** Who is acting, as the platform knows them: admins and group membership come from Slack or Discord. */
export type Actor = {
  userId: string;
  /** Workspace admin/owner (Slack) or Manage Server (Discord). */
  isAdmin: boolean;
  /** Slack user group ids or Discord role ids the user belongs to. */
  groups: readonly string[];
};

/**
 * The workspace's rule for who may approve: its approver group, and whether requesters may approve their
 * own designs (null: the default, which follows the group).
 */
export type ApprovalPolicy = { approverGroup: string | null; requestersApprove: boolean | null };

export type Permission = 'approve' | 'decline' | 'edit' | 'pick' | 'cancel' | 'retry' | 'edit_view';

/** Requesters approve their own designs unless the workspace says otherwise: by default only without a group. */
export function requestersMayApprove(policy: ApprovalPolicy): boolean {
  return policy.requestersApprove ?? policy.approverGroup === null;
}

/**
 * Someone other than the requester has to approve (an approver or an admin): only then are approvers
 * asked, so a requester who may approve alone causes no notice.
 */
export function needsApprover(policy: ApprovalPolicy): boolean {
  return !requestersMayApprove(policy);
}

/**
 * Approving is for the approver group's members and admins, and for the requester where the policy lets
 * them approve their own design. Declining is for approvers and admins (a requester cancels instead).
 * Everything else is the requester's, the approvers' (who may ask for changes) or an admin's.
 */
export function mayAct(
  permission: Permission,
  actor: Actor,
  requesterId: string,
  policy: ApprovalPolicy,
): boolean {
  if (actor.isAdmin) return true;
  const isRequester = actor.userId === requesterId;
  const isApprover = policy.approverGroup !== null && actor.groups.includes(policy.approverGroup);
  switch (permission) {
    // A requester who is also an approver still approves their own design only where the policy allows.
    case 'approve':
      return isRequester ? requestersMayApprove(policy) : isApprover;
    case 'decline':
      return isApprover && !isRequester;
    // Picking a candidate is choosing what is approved or edited next: the people who may ask for changes.
    case 'edit':
    case 'pick':
    case 'edit_view':
      return isRequester || isApprover;
    case 'cancel':
    case 'retry':
      return isRequester;
  }
}

/**
 * Whose designs an actor may approve, as `mayAct('approve')` decides it: their own, and other people's.
 * For lists ("what waits for me") that must pick designs in one query rather than ask design by design.
 */
export function approvalReach(actor: Actor, policy: ApprovalPolicy): { own: boolean; others: boolean } {
  // Any id other than the actor's stands for "someone else": mayAct only compares the two.
  const someoneElse = `${actor.userId}:other`;
  return {
    own: mayAct('approve', actor, actor.userId, policy),
    others: mayAct('approve', actor, someoneElse, policy),
  };
}
