/** Who is acting, as the platform knows them: admins and group membership come from Slack or Discord. */
export type Actor = {
  userId: string;
  /** Workspace admin/owner (Slack) or Manage Server (Discord). */
  isAdmin: boolean;
  /** Slack user group ids or Discord role ids the user belongs to. */
  groups: readonly string[];
};

/** The workspace's rule for who may approve: its approver group, or nobody beyond requester and admins. */
export type ApprovalPolicy = { approverGroup: string | null };

export type Permission = 'approve' | 'edit' | 'cancel' | 'retry' | 'edit_view';

/**
 * With an approver group set, approving is for that group's members and admins (managers approve);
 * without one, the requester approves their own design. Everything else is the requester's, the
 * approvers' (who may ask for changes) or an admin's.
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
    case 'approve':
      return policy.approverGroup === null ? isRequester : isApprover;
    case 'edit':
    case 'edit_view':
      return isRequester || isApprover;
    case 'cancel':
    case 'retry':
      return isRequester;
  }
}
