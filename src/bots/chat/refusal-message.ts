import type { Permission } from '../../workflow/actor.ts';
import type { WorkflowRefusal } from '../../workflow/workflow-outcome.ts';

/**
 * What a person is told when their command or click changed nothing: plain words, same on every
 * platform. `viewer` is who reads it, where that changes the advice (an admin grants credits themselves).
 */
export function refusalMessage(
  refusal: WorkflowRefusal,
  viewer: { isAdmin: boolean } = { isAdmin: false },
  /** What was refused and whether on the reader's own design, where "not allowed" depends on it. */
  action?: { permission: Permission; own: boolean },
): string {
  switch (refusal.reason) {
    case 'insufficient_credits':
      return `This needs ${refusal.cost} credit${refusal.cost === 1 ? '' : 's'} and you have ${refusal.available} available. Nothing was reserved. ${viewer.isAdmin ? 'As a workspace admin you can add credits with `/design grant`.' : 'Ask a workspace admin for more credits.'}`;
    case 'empty_prompt':
      return 'Describe the product to design, e.g. `/design wireless headphones in matte black`.';
    case 'prompt_too_long':
      return `That description is too long: keep it to ${refusal.max} characters or fewer.`;
    case 'empty_feedback':
      return 'Say what should change.';
    case 'empty_decline_reason':
      return 'Say why it is declined: the requester is told.';
    case 'feedback_too_long':
      return `That feedback is too long: keep it to ${refusal.max} characters or fewer.`;
    case 'unknown_preset':
      return 'That quick edit does not exist any more.';
    case 'no_front_view':
      return 'That design has no approved front view to start a variation from.';
    case 'not_found':
      return 'That design no longer exists.';
    case 'already_started':
      return 'That design has already started.';
    case 'not_allowed':
      if (action?.permission === 'decline')
        return action.own
          ? 'Approvers decline designs, not the person who asked for them; nothing was changed. To stop your own design, use Cancel.'
          : 'Only approvers and workspace admins can decline a design; nothing was changed.';
      if (action?.permission === 'approve' && action.own)
        return 'In this workspace approvers approve designs, not the person who asked for them; they have been asked in the card’s thread. Nothing was changed.';
      return 'Only the person who asked for this design (or an approver or admin) can do that.';
    case 'stale_iteration':
      return 'That button belongs to an earlier iteration of this design; use the buttons on the newest one.';
    case 'not_ready':
      return 'The front view is still being generated; wait for it first.';
    case 'already_approved':
      return 'This design has already been approved.';
    case 'finished':
      return 'This design is finished; nothing was changed.';
    case 'not_failed':
      return 'Only a failed design can be retried.';
    case 'not_completed':
      return 'Views can be edited once the design is complete.';
    case 'over_budget':
      return refusal.scope === 'workspace'
        ? `This workspace has used its AI budget for this month, so no new design can start; nothing was reserved. ${viewer.isAdmin ? 'As a workspace admin you can raise it in `/design settings`.' : 'A workspace admin can raise it in `/design settings`.'} Designs already under way finish as usual.`
        : 'Facet has reached the AI spending limit its operator set for today, so no new design can start; nothing was reserved. Try again after midnight UTC. Designs already under way finish as usual.';
    case 'pick_first':
      return 'Pick a candidate first: press one of the Pick buttons under the front views, then approve it or ask for changes. Nothing was changed.';
    case 'no_such_candidate':
      return 'That candidate does not exist; nothing was changed.';
    case 'too_many_candidates':
      return refusal.max === 1
        ? 'This workspace draws one front view per round; nothing was reserved. A workspace admin can allow more candidates in `/design settings`.'
        : `This workspace allows at most ${refusal.max} candidates per round; nothing was reserved. Ask for fewer, e.g. \`candidates:${refusal.max}\`.`;
    case 'request_reused':
      return 'That request was already used to start another design, so nothing new was started. Send the command again.';
  }
}
