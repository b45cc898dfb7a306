import type { DesignAudit, IterationAudit } from '../../workflow/design-audit.ts';
import { truncate } from '../../text.ts';
import { creditCount } from '../card/credit-count.ts';
import { day, dollars, stateLabels } from './chat-answers.ts';
import { chatLines, type ChatText } from './chat-text.ts';
import type { ChatWords } from './chat-words.ts';

/** How much of the prompt and of each feedback the detail shows: it is a private answer, not a page. */
const promptLength = 300;
const feedbackLength = 160;

/**
 * `/design history N`: one design's record, as the audit keeps it. Each iteration with who asked for
 * what, the decision, the credits from the ledger and the model time; the estimated AI cost for admins.
 */
export function historyDetailAnswer(
  audit: DesignAudit,
  links: { cardUrl: string | undefined; pageUrl: string | undefined; showCost: boolean },
): ChatText {
  const { credits, model } = audit;
  const settled = [
    credits.captured > 0 ? `${credits.captured} charged` : null,
    credits.released > 0 ? `${credits.released} returned` : null,
    credits.expired > 0 ? `${credits.expired} returned when its hold expired` : null,
  ].filter((part) => part !== null);
  const seconds = Math.round(model.latencyMs / 1000);
  return chatLines([
    [{ strong: 'Design: ' }, { userText: truncate(audit.prompt, promptLength), href: links.cardUrl }],
    [
      `${capitalise(stateLabels[audit.state])}; started ${day(audit.createdAt)} UTC${audit.finishedAt ? `, ended ${day(audit.finishedAt)} UTC` : ''}.`,
    ],
    ...audit.iterations.map(iterationLine),
    ...decisionLines(audit),
    [`Credits: ${creditCount(credits.held)} reserved${settled.length > 0 ? `, ${settled.join(', ')}` : ''}.`],
    [
      `Model: ${model.calls} call${model.calls === 1 ? '' : 's'}, ${seconds} s in all${links.showCost ? `, estimated AI cost ${dollars(model.costMicroUsd / 1_000_000)}` : ''}.`,
    ],
    ...(links.pageUrl ? [[{ userText: 'Open design page', href: links.pageUrl }] satisfies ChatText] : []),
  ]);
}

/** A position past the end of the list: says how many there are. */
export function historyMissingAnswer(words: ChatWords, position: number, count: number): ChatText {
  if (count === 0) return [`You have no designs yet. Start one with ${words.start}.`];
  return [
    `You have ${count} recent design${count === 1 ? '' : 's'}, so there is no number ${position}; \`/design history\` lists them.`,
  ];
}

function iterationLine(iteration: IterationAudit): ChatText {
  // A preset is already named by its label; typed feedback is the person's own words.
  const asked =
    iteration.askedVia === 'prompt'
      ? 'the description'
      : iteration.askedVia === 'preset'
        ? iteration.askedFor
        : null;
  return [
    `• Iteration ${iteration.iteration}: `,
    ...(asked === null
      ? (['“', { userText: truncate(iteration.askedFor, feedbackLength) }, '”'] satisfies ChatText)
      : [asked]),
    ', asked by ',
    { mention: iteration.requestedBy },
    ` at ${day(iteration.requestedAt)} UTC`,
    iteration.frontCompletedAt ? '' : ' (no front view)',
  ];
}

function decisionLines(audit: DesignAudit): ChatText[] {
  const decision = audit.decision;
  if (!decision) return [];
  const when = `${day(decision.at)} UTC`;
  if (decision.kind === 'approved')
    return [['Approved by ', { mention: decision.by }, ` (iteration ${decision.iteration}) at ${when}.`]];
  return [
    [
      'Declined by ',
      { mention: decision.by },
      ` (iteration ${decision.iteration}) at ${when}: “`,
      { userText: truncate(decision.reason, feedbackLength) },
      '”',
    ],
  ];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
