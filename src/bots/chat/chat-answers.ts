import { requestersMayApprove } from '../../workflow/actor.ts';
import { truncate } from '../../text.ts';
import type { DesignHistoryEntry } from '../../workflow/workspace-designs.ts';
import type { CreditBalance, CreditEntry } from '../../workflow/workspace-credits.ts';
import type { CandidateSettings, Prices, WorkspaceInfo } from '../../workflow/workspace-directory.ts';
import type { WorkspaceMonthUsage } from '../../workflow/workspace-usage.ts';
import { creditCount } from '../card/credit-count.ts';
import { chatLines, type ChatText } from './chat-text.ts';
import type { ChatWords } from './chat-words.ts';

/** How each journal entry reads, given its credits ("3 credits"). */
const entryLabels: Record<string, (credits: string) => string> = {
  grant: (credits) => `${credits} granted`,
  reserve: (credits) => `${credits} reserved for a design`,
  extend: (credits) => `${credits} more reserved for an edit`,
  capture: (credits) => `${credits} charged`,
  release: (credits) => `${credits} returned`,
  expire: (credits) => `${credits} returned (not approved in time)`,
};

/** A design's state in words, wherever a list of designs says where each is. */
export const stateLabels: Record<DesignHistoryEntry['state'], string> = {
  queued: 'waiting in line',
  generating_front: 'generating the front view',
  awaiting_approval: 'waiting for approval',
  generating_views: 'generating the other views',
  finalizing: 'finishing',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
  declined: 'declined',
};

/** How much of each prompt `/design history` shows. */
const historyPromptLength = 80;

/** A moment as "2026-12-04 23:10" (UTC). */
export function day(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** `/design credits`: the balance in one line, then the recent journal entries. */
export function creditsAnswer(balance: CreditBalance, entries: CreditEntry[]): ChatText {
  return chatLines([
    [
      `You have ${creditCount(balance.available)} available (${balance.balance} in your account, ${balance.held} reserved for designs in progress).`,
    ],
    ...entries.map((entry) => [
      `• ${day(entry.createdAt)} UTC: ${(entryLabels[entry.kind] ?? ((credits: string) => `${entry.kind} ${credits}`))(creditCount(entry.amount))}; then ${entry.balanceAfter - entry.heldAfter} available, ${entry.heldAfter} reserved`,
    ]),
  ]);
}

/** `/design history`: a line per design, linked to its card where the platform can link. */
export function historyAnswer(
  words: ChatWords,
  /** `costUsd`: the estimated AI cost, shown to admins only. */
  designs: { entry: DesignHistoryEntry; url: string | undefined; costUsd?: number | undefined }[],
): ChatText {
  if (designs.length === 0) return [`You have no designs yet. Start one with ${words.start}.`];
  return chatLines([
    [{ strong: 'Your recent designs' }],
    ...designs.map((design, index) => [
      `${index + 1}. `,
      { userText: truncate(design.entry.prompt, historyPromptLength), href: design.url },
      `: ${historyStatus(design.entry)}${design.costUsd === undefined ? '' : `, estimated AI cost ${dollars(design.costUsd)}`}`,
    ]),
    [
      `${words.historyDetail} shows the second in detail: each iteration, who asked for it, who approved, credits and model time.`,
    ],
  ]);
}

function historyStatus(entry: DesignHistoryEntry): string {
  const charged = entry.charged > 0 ? `, ${creditCount(entry.charged)} charged` : '';
  return `${stateLabels[entry.state]}, iteration ${entry.iteration}${charged}, started ${day(entry.createdAt)} UTC`;
}

/** Estimates are small: cents show, and a fraction of a cent is not rounded away to $0.00. */
export function dollars(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** `/design usage`: this month's designs, images and estimated spend, against the budget. */
export function usageAnswer(usage: WorkspaceMonthUsage): ChatText {
  const month = new Date(`${usage.month}-01T00:00:00Z`).toLocaleString('en', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const budget =
    usage.budgetUsd === undefined
      ? 'No monthly AI budget is set.'
      : `Monthly AI budget: ${dollars(usage.budgetUsd)} (${usage.ownBudget ? 'set in /design settings' : 'the operator’s default'}), ${Math.round((usage.costUsd / Math.max(usage.budgetUsd, 0.000001)) * 100)}% used.`;
  return chatLines([
    [{ strong: `AI usage in ${month} (UTC)` }],
    [
      `${usage.designs} design${usage.designs === 1 ? '' : 's'} started, ${usage.images} image${usage.images === 1 ? '' : 's'} generated, estimated cost ${dollars(usage.costUsd)}.`,
    ],
    [budget],
    ...(usage.topRequesters.length === 0
      ? []
      : [
          ['Top requesters:'],
          ...usage.topRequesters.map((requester): ChatText => [
            '• ',
            { mention: requester.userId },
            `: ${requester.designs} design${requester.designs === 1 ? '' : 's'}, ${dollars(requester.costUsd)}`,
          ]),
        ]),
    ['Estimates come from the model price table (docs/operations.md); the provider’s bill is the truth.'],
  ]);
}

/** `/design help`, with this workspace's prices and candidate settings. */
export function helpAnswer(
  words: ChatWords,
  prices: Prices,
  candidates: CandidateSettings = { default: 1, max: 1 },
): ChatText {
  return chatLines([
    [{ strong: 'Facet designs products with you, right here.' }],
    [
      `${words.start}: start a design, e.g. ${words.example}. The front view comes first; approve it, use a quick edit, or request changes. After approval the back, side, top and bottom views fill a thread.`,
    ],
    [
      '`/design credits`: your balance, what is reserved, and recent entries. `/design history`: your recent designs, with links. `/design pending`: what waits for your approval, with Approve and Decline. `/design help`: this message. `/design create` always starts a design, even when the description begins with help, credits, history, pending, usage, grant or settings.',
    ],
    [
      `${words.admins}: ${words.grant}, \`/design settings\` (${words.settings}) and \`/design usage\` (this month’s AI usage and spend).`,
    ],
    [
      `Credits are reserved when you start (${prices.design}, plus ${prices.edit} per edit; a variation costs ${prices.variation}) and charged only when the design is complete; a failure, cancel or expiry returns them.`,
    ],
    ...(candidates.max > 1 ? [candidatesHelp(prices, candidates)] : []),
  ]);
}

/**
 * How candidates are asked for and what they cost: every picture after the first of a round costs an
 * edit, and every round draws as many as the first.
 */
function candidatesHelp(prices: Prices, candidates: CandidateSettings): ChatText {
  const n = candidates.max;
  return [
    `Candidates: add \`candidates:N\` (1 to ${n}${candidates.default > 1 ? `; ${candidates.default} when you say nothing` : ''}) to draw N front views at once and pick one with its Pick button; Approve, the quick edits and Request changes then act on the picked one, and every round draws N again. Each candidate after the first costs an edit, held from the start: \`candidates:${n}\` holds ${prices.design + prices.edit * (n - 1)} credits for a new design, and each round of changes ${prices.edit * n}.`,
  ];
}

/** The workspace's settings, after a change or on request. */
export function settingsAnswer(words: ChatWords, workspace: WorkspaceInfo, saved: boolean): ChatText {
  const { prices, approverGroup } = workspace;
  return chatLines([
    [saved ? 'Settings saved.' : `Current settings (${words.settingsHowTo}):`],
    approverGroup
      ? [
          'Approvers: members of ',
          { group: approverGroup },
          ' and admins, asked ',
          workspace.approvalNotices === 'direct'
            ? 'by direct message (a larger group is mentioned in the card’s thread)'
            : 'in the card’s thread',
        ]
      : ['Approver group: none (workspace admins may approve any design)'],
    [
      requestersMayApprove(workspace)
        ? 'Requesters approve their own designs: yes'
        : 'Requesters approve their own designs: no, an approver does (they are asked in the card’s thread)',
      workspace.requestersApprove === null ? ' (the default)' : '',
    ],
    [`Prices: design ${prices.design}, variation ${prices.variation}, edit ${prices.edit} credits`],
    [
      `Front-view candidates per round: ${workspace.candidates.default} unless asked, at most ${workspace.candidates.max} (each after the first costs an edit)`,
    ],
    [
      workspace.monthlyBudgetCents === null
        ? 'Monthly AI budget: the operator’s default (`/design usage` shows it)'
        : `Monthly AI budget: ${dollars(workspace.monthlyBudgetCents / 100)}`,
    ],
    [
      workspace.threadReplies
        ? 'Replies in a card’s thread: taken as Request changes while the front view waits'
        : 'Replies in a card’s thread: not read (off)',
    ],
  ]);
}

export function grantAnswer(userId: string, amount: number, available: number): ChatText {
  return [
    `Granted ${creditCount(amount)} to `,
    { mention: userId },
    `: they now have ${available} available.`,
  ];
}

/** A repeated grant request (a platform retry, a double submit): the ledger recorded it once. */
export function grantReplayedAnswer(userId: string, amount: number, available: number): ChatText {
  return [
    `Already granted: ${creditCount(amount)} to `,
    { mention: userId },
    ` (this request was recorded once); they have ${available} available.`,
  ];
}

export function grantLimitAnswer(most: number, left: number): ChatText {
  return [
    `Nothing was granted: admins of this workspace may grant at most ${creditCount(most)} in 24 hours, and ${left === 0 ? 'none are' : `${creditCount(left)} ${left === 1 ? 'is' : 'are'}`} left. The operator of this Facet sets the limit (FACET_ADMIN_GRANTS_PER_DAY).`,
  ];
}

export const grantKeyReusedAnswer =
  'That request was already used for a different grant, so nothing was granted. Run the command again.';

export function grantNotice(granterId: string, amount: number, available: number): ChatText {
  return [{ mention: granterId }, ` granted you ${amount} Facet credits; you have ${available} available.`];
}
