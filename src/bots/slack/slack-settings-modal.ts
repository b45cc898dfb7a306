import { z } from 'zod';
import type { ApprovalNotices } from '../../workflow/workspace-directory.ts';
import { maxDirectApprovers } from '../card/design-notices.ts';
import { clip } from '../../text.ts';
import type { CandidateSettings, Prices } from '../../workflow/workspace-directory.ts';
import { mostCandidates } from '../chat/design-command.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

export const settingsModalCallbackId = 'facet_settings';
const approverBlock = 'facet_settings_approver';
const approverAction = 'facet_settings_approver_select';
const noGroup = 'none';
const priceFields = [
  { key: 'design', label: 'Price of a design (credits)' },
  { key: 'variation', label: 'Price of a variation (credits)' },
  { key: 'edit', label: 'Price of each edit (credits)' },
] as const satisfies readonly { key: keyof Prices; label: string }[];
const maxPrice = 1000;
const budgetBlock = 'facet_settings_budget';
const ownApprovalBlock = 'facet_settings_own_approval';
const ownApprovalAction = 'facet_settings_own_approval_select';
const ownApprovalChoices = {
  default: { text: 'Default: yes without an approver group, no with one', value: null },
  yes: { text: 'Yes: requesters may approve their own designs', value: true },
  no: { text: 'No: an approver or admin must approve', value: false },
} as const;
type OwnApprovalChoice = keyof typeof ownApprovalChoices;
const noticesBlock = 'facet_settings_notices';
const noticesAction = 'facet_settings_notices_select';
const noticesChoices: Record<ApprovalNotices, string> = {
  thread: "Mention the group in the card's thread",
  direct: `Direct message each member (groups of up to ${maxDirectApprovers}; larger ones are mentioned)`,
};
const candidateFields = [
  { key: 'default', label: 'Front-view candidates unless asked' },
  { key: 'max', label: 'Most front-view candidates a person may ask for' },
] as const satisfies readonly { key: keyof CandidateSettings; label: string }[];
const candidatesBlock = (key: keyof CandidateSettings) => `facet_settings_candidates_${key}`;
const candidatesAction = 'facet_settings_candidates_select';
const maxBudgetUsd = 1_000_000;
// Replies in a card's thread as Request changes (issue 19): one checkbox, read on its own.
const threadRepliesBlock = 'facet_settings_thread_replies';
const threadRepliesAction = 'facet_settings_thread_replies_check';
const threadRepliesOn = 'on';
/** Slack allows 100 options in a static select; one is "nobody". */
const maxGroups = 99;

export type UserGroup = { id: string; handle: string };

/** The admin's settings modal: who approves designs, what they cost, and the monthly AI budget. */
export function settingsModal(input: {
  teamId: string;
  approverGroup: string | null;
  requestersApprove: boolean | null;
  approvalNotices: ApprovalNotices;
  prices: Prices;
  /** US cents; null: the operator's default. */
  monthlyBudgetCents: number | null;
  /** Left out (a form built before candidates existed): one, at most four. */
  candidates?: CandidateSettings | undefined;
  groups: UserGroup[];
  /** Replies in a card's thread taken as Request changes; left out: the box is not shown. */
  threadReplies?: boolean | undefined;
}) {
  const option = (value: string, text: string) => ({
    text: { type: 'plain_text' as const, text: clip(text, 75) },
    value,
  });
  const nobody = option(noGroup, 'Nobody else: requesters approve their own designs');
  const options = [nobody, ...input.groups.slice(0, maxGroups).map((g) => option(g.id, `@${g.handle}`))];
  const current = options.find((o) => o.value === input.approverGroup) ?? nobody;
  const ownOptions = (Object.keys(ownApprovalChoices) as OwnApprovalChoice[]).map((key) =>
    option(key, ownApprovalChoices[key].text),
  );
  const noticeOptions = (Object.keys(noticesChoices) as ApprovalNotices[]).map((key) =>
    option(key, noticesChoices[key]),
  );
  const candidates = input.candidates ?? { default: 1, max: mostCandidates };
  const countOptions = Array.from({ length: mostCandidates }, (_, index) =>
    option(String(index + 1), String(index + 1)),
  );
  const ownCurrent = input.requestersApprove === null ? 'default' : input.requestersApprove ? 'yes' : 'no';
  return {
    type: 'modal' as const,
    callback_id: settingsModalCallbackId,
    private_metadata: JSON.stringify({ teamId: input.teamId }),
    title: { type: 'plain_text' as const, text: 'Facet settings' },
    submit: { type: 'plain_text' as const, text: 'Save' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: approverBlock,
        label: { type: 'plain_text' as const, text: 'Who approves designs' },
        hint: {
          type: 'plain_text' as const,
          text: 'Its members (and admins) approve or decline designs and are asked in each card’s thread; requesters can still edit.',
        },
        element: { type: 'static_select', action_id: approverAction, options, initial_option: current },
      },
      {
        type: 'input',
        block_id: noticesBlock,
        label: { type: 'plain_text' as const, text: 'How approvers are asked' },
        element: {
          type: 'static_select',
          action_id: noticesAction,
          options: noticeOptions,
          initial_option: noticeOptions.find((o) => o.value === input.approvalNotices),
        },
      },
      {
        type: 'input',
        block_id: ownApprovalBlock,
        label: { type: 'plain_text' as const, text: 'Requesters approve their own designs' },
        element: {
          type: 'static_select',
          action_id: ownApprovalAction,
          options: ownOptions,
          initial_option: ownOptions.find((o) => o.value === ownCurrent),
        },
      },
      ...priceFields.map((field) => ({
        type: 'input',
        block_id: `facet_settings_price_${field.key}`,
        label: { type: 'plain_text' as const, text: field.label },
        element: {
          type: 'number_input',
          action_id: 'value',
          is_decimal_allowed: false,
          min_value: '0',
          max_value: String(maxPrice),
          initial_value: String(input.prices[field.key]),
        },
      })),
      ...candidateFields.map((field) => ({
        type: 'input',
        block_id: candidatesBlock(field.key),
        label: { type: 'plain_text' as const, text: field.label },
        ...(field.key === 'max'
          ? {
              hint: {
                type: 'plain_text' as const,
                text: 'Each candidate after the first costs an edit, in every round.',
              },
            }
          : {}),
        element: {
          type: 'static_select',
          action_id: candidatesAction,
          options: countOptions,
          initial_option: countOptions.find((o) => o.value === String(candidates[field.key])),
        },
      })),
      {
        type: 'input',
        block_id: budgetBlock,
        optional: true,
        label: { type: 'plain_text' as const, text: 'Monthly AI budget (US dollars)' },
        hint: {
          type: 'plain_text' as const,
          text: 'Estimated model spend per calendar month; past it new designs wait for next month. Empty: the default of whoever runs Facet.',
        },
        element: {
          type: 'number_input',
          action_id: 'value',
          is_decimal_allowed: true,
          min_value: '0',
          max_value: String(maxBudgetUsd),
          ...(input.monthlyBudgetCents === null
            ? {}
            : { initial_value: (input.monthlyBudgetCents / 100).toFixed(2) }),
        },
      },
      ...(input.threadReplies === undefined ? [] : [threadRepliesInput(input.threadReplies)]),
    ],
  };
}

function threadRepliesInput(on: boolean) {
  const box = {
    text: { type: 'plain_text' as const, text: 'Take replies in a card’s thread as Request changes' },
    description: {
      type: 'plain_text' as const,
      text: 'While a front view waits, a reply by its requester or an approver asks for the next iteration (+1 edit). Needs the message events in the app’s settings.',
    },
    value: threadRepliesOn,
  };
  return {
    type: 'input',
    block_id: threadRepliesBlock,
    optional: true,
    label: { type: 'plain_text' as const, text: 'Feedback by replying' },
    element: {
      type: 'checkboxes',
      action_id: threadRepliesAction,
      options: [box],
      ...(on ? { initial_options: [box] } : {}),
    },
  };
}

const threadRepliesSchema = z.object({
  state: z.object({
    values: z.record(
      z.string(),
      z.record(
        z.string(),
        z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }),
      ),
    ),
  }),
});

/** The thread-replies box as submitted; undefined for a form without it (opened before it existed). */
function readThreadReplies(view: unknown): boolean | undefined {
  const parsed = threadRepliesSchema.safeParse(view);
  const field = parsed.success
    ? parsed.data.state.values[threadRepliesBlock]?.[threadRepliesAction]
    : undefined;
  if (!field) return undefined;
  return (field.selected_options ?? []).some((option) => option.value === threadRepliesOn);
}

const submissionSchema = z.object({
  private_metadata: z.string(),
  state: z.object({
    values: z.record(
      z.string(),
      z.record(
        z.string(),
        z.object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).nullish() }),
      ),
    ),
  }),
});

/** The block under which an error about the whole form is shown. */
export const settingsErrorBlock = approverBlock;

/**
 * Reads the modal; each bad field gets its own error under it (what a field may hold is the form's
 * business, as Slack's own number inputs are; who may save is the chat layer's).
 */
export function readSettingsSubmission(
  view: unknown,
): Extract<ChatSubmission, { kind: 'settings' | 'stale' }> | { errors: Record<string, string> } {
  const parsed = submissionSchema.safeParse(view);
  const teamId = parsed.success ? teamOf(parsed.data.private_metadata) : undefined;
  if (!parsed.success || !teamId) return { kind: 'stale', form: 'settings' };
  const values = parsed.data.state.values;
  const errors: Record<string, string> = {};
  const prices: Prices = { design: 0, variation: 0, edit: 0 };
  for (const field of priceFields) {
    const block = `facet_settings_price_${field.key}`;
    const raw = values[block]?.value?.value?.trim() ?? '';
    const price = Number(raw);
    if (raw === '' || !Number.isInteger(price) || price < 0 || price > maxPrice)
      errors[block] = `A whole number from 0 to ${maxPrice}.`;
    else prices[field.key] = price;
  }
  const budgetText = values[budgetBlock]?.value?.value?.trim() ?? '';
  const budgetUsd = Number(budgetText);
  if (budgetText !== '' && (!Number.isFinite(budgetUsd) || budgetUsd < 0 || budgetUsd > maxBudgetUsd))
    errors[budgetBlock] =
      `An amount from 0 to ${maxBudgetUsd.toLocaleString('en')}, or empty for the default.`;
  const candidates = { default: 1, max: mostCandidates };
  for (const field of candidateFields) {
    const block = candidatesBlock(field.key);
    const count = Number(values[block]?.[candidatesAction]?.selected_option?.value ?? candidates[field.key]);
    if (!Number.isInteger(count) || count < 1 || count > mostCandidates)
      errors[block] = 'Pick one of the listed answers.';
    else candidates[field.key] = count;
  }
  if (!errors[candidatesBlock('default')] && candidates.default > candidates.max)
    errors[candidatesBlock('default')] = `At most the most a person may ask for (${candidates.max}).`;
  if (Object.keys(errors).length > 0) return { errors };
  const selected = values[approverBlock]?.[approverAction]?.selected_option?.value ?? noGroup;
  const own = values[ownApprovalBlock]?.[ownApprovalAction]?.selected_option?.value ?? 'default';
  if (!(own in ownApprovalChoices))
    return { errors: { [ownApprovalBlock]: 'Pick one of the listed answers.' } };
  const notices = values[noticesBlock]?.[noticesAction]?.selected_option?.value ?? 'thread';
  if (notices !== 'thread' && notices !== 'direct')
    return { errors: { [noticesBlock]: 'Pick one of the listed answers.' } };
  if (selected !== noGroup && !/^S[A-Z0-9]{2,}$/.test(selected))
    return { errors: { [approverBlock]: 'Pick one of the listed user groups.' } };
  const threadReplies = readThreadReplies(view);
  return {
    kind: 'settings',
    workspace: teamId,
    settings: {
      approverGroup: selected === noGroup ? null : selected,
      requestersApprove: ownApprovalChoices[own as OwnApprovalChoice].value,
      approvalNotices: notices,
      prices,
      monthlyBudgetCents: budgetText === '' ? null : Math.round(budgetUsd * 100),
      // A form opened before these fields existed leaves them as they are.
      candidates: candidateFields.some((field) => values[candidatesBlock(field.key)])
        ? candidates
        : undefined,
      ...(threadReplies === undefined ? {} : { threadReplies }),
    },
  };
}

function teamOf(metadata: string): string | undefined {
  try {
    return z.object({ teamId: z.string().min(1) }).parse(JSON.parse(metadata)).teamId;
  } catch {
    return undefined;
  }
}
