import { needsApprover } from '../../workflow/actor.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { truncate } from '../../text.ts';
import type { ChatText } from '../chat/chat-text.ts';
import { creditCount } from './credit-count.ts';

/**
 * A message in the card's thread that tells someone something once: approvers that an iteration waits
 * for them, the requester what became of their design. `pings` are the only mentions the platform may
 * let notify (Discord's allowed_mentions); every other mention in it stays silent.
 */
export type ThreadNotice = {
  /** Stable per occasion: the platform posts it once (ChatPosts), however often the design is shown. */
  postKey: string;
  text: ChatText;
  pings: { users: string[]; groups: string[] };
  /**
   * Where the workspace asks its approvers by direct message: the group whose members each get `text`
   * (which mentions no group: a group mention in a direct message would ping the whole group). A platform
   * that cannot, or a group larger than maxDirectApprovers, gets the thread notice instead.
   */
  direct?: { group: string; text: ChatText };
};

/** The most members of an approver group asked one by one; a larger group is mentioned in the thread. */
export const maxDirectApprovers = 20;

/**
 * The notices a design's thread should hold by now, as a pure function of the snapshot. Each is keyed by
 * its occasion, so it is posted once: one approval request per iteration, one word to the requester per
 * outcome (a failure after each retry is a new occasion, told apart by the hold it released).
 */
export function buildDesignNotices(design: DesignSnapshot): ThreadNotice[] {
  const notices: ThreadNotice[] = [];
  const requester = design.requesterId;
  const toRequester = (postKey: string, text: ChatText) =>
    notices.push({
      postKey,
      text: [{ mention: requester }, ' ', ...text],
      pings: { users: [requester], groups: [] },
    });

  const group = design.approval.approverGroup;
  const asked: ChatText = [
    `iteration ${design.iteration} of “`,
    { userText: truncate(design.prompt.replace(/\s+/g, ' '), 80) },
    '”, asked for by ',
    { mention: requester },
  ];
  // Asked only where someone other than the requester has to approve: a requester who may approve their
  // own design needs nobody's attention.
  if (design.state === 'awaiting_approval' && group !== null && needsApprover(design.approval))
    notices.push({
      postKey: `notice:approval:i${design.iteration}`,
      text: [
        { group },
        ': ',
        ...asked,
        ', waits for your approval. Approve it, request changes or decline it on the card.',
      ],
      pings: { users: [], groups: [group] },
      ...(design.approvalNotices === 'direct'
        ? {
            direct: {
              group,
              text: [
                'A design waits for your approval: ',
                ...asked,
                '. Approve it, request changes or decline it on the card (you are one of this workspace’s approvers).',
              ],
            },
          }
        : {}),
    });

  const approvedBy = design.approvedBy;
  // Told when someone else approved; once complete, the completion says who approved instead.
  if (
    approvedBy !== null &&
    approvedBy !== requester &&
    (design.state === 'generating_views' || design.state === 'finalizing')
  )
    toRequester('notice:approved', [
      'your design was approved by ',
      { mention: approvedBy },
      '; the back, side, top and bottom views are being generated.',
    ]);

  switch (design.state) {
    case 'declined': {
      const declined = design.declined;
      toRequester('notice:declined', [
        'your design was declined',
        ...(declined
          ? [' by ', { mention: declined.by }, ': “', { userText: truncate(declined.reason, 500) }, '”']
          : []),
        '. Nothing was charged; your reserved credits are back.',
      ]);
      break;
    }
    case 'completed':
      toRequester(`notice:completed:r${design.round}`, completedText(design));
      break;
    case 'failed':
      toRequester(`notice:failed:h${design.holdSeq}`, [
        'your design could not be finished: ',
        design.failure?.message ?? 'the image model did not answer.',
        ' Nothing was charged for it.',
        design.failure?.kind === 'blocked' ? '' : ' Press Retry on the card to try again.',
      ]);
      break;
    default:
      break;
  }
  return notices;
}

function completedText(design: DesignSnapshot): ChatText {
  if (design.round > 1) return [`your edited view is ready (revision ${design.round}).`];
  const approver =
    design.approvedBy !== null && design.approvedBy !== design.requesterId
      ? ([' Approved by ', { mention: design.approvedBy }, '.'] as ChatText)
      : [];
  return [
    `your design is complete: all five views are in this thread, ${creditCount(design.charged)} charged.`,
    ...approver,
  ];
}
