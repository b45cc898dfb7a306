import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

/**
 * The two forms about one iteration of a front view: "Request changes" (what should change) and
 * "Decline" (why, told to the requester). Which design and iteration travel in private_metadata.
 */
export type IterationForm = 'feedback' | 'decline';

const forms = {
  feedback: {
    callbackId: 'facet_feedback',
    blockId: 'facet_feedback_block',
    actionId: 'facet_feedback_text',
    title: 'Request changes',
    submit: 'Revise',
    label: (iteration: number) => `What should change in iteration ${iteration}?`,
    hint: null,
    placeholder: 'e.g. a warmer colour, rounder edges and a matte finish',
  },
  decline: {
    callbackId: 'facet_decline',
    blockId: 'facet_decline_block',
    actionId: 'facet_decline_text',
    title: 'Decline this design',
    submit: 'Decline',
    label: (iteration: number) => `Why is iteration ${iteration} declined?`,
    hint: 'The requester is told your reason. The design ends and its reserved credits are returned.',
    placeholder: 'e.g. off-brand colours; start again from the spring palette',
  },
} as const;

export const iterationForms = Object.keys(forms) as IterationForm[];

const metadataSchema = z.object({
  designId: z.uuid(),
  iteration: z.int().positive(),
  channelId: z.string(),
});

export function iterationModalCallbackId(form: IterationForm): string {
  return forms[form].callbackId;
}

/** The block under which errors about the text go (response_action: errors). */
export function iterationErrorBlock(form: IterationForm): string {
  return forms[form].blockId;
}

export function iterationModal(form: IterationForm, target: z.infer<typeof metadataSchema>) {
  const words = forms[form];
  return {
    type: 'modal' as const,
    callback_id: words.callbackId,
    private_metadata: JSON.stringify(target),
    title: { type: 'plain_text' as const, text: words.title },
    submit: { type: 'plain_text' as const, text: words.submit },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: words.blockId,
        label: { type: 'plain_text' as const, text: words.label(target.iteration) },
        ...(words.hint ? { hint: { type: 'plain_text' as const, text: words.hint } } : {}),
        element: {
          type: 'plain_text_input',
          action_id: words.actionId,
          multiline: true,
          // Slack enforces this too; the server checks again because a payload can be forged.
          max_length: maxFeedbackLength,
          placeholder: { type: 'plain_text' as const, text: words.placeholder },
        },
      },
    ],
  };
}

const submissionSchema = z.object({
  private_metadata: z.string(),
  state: z.object({
    values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
  }),
});

/** Reads a submission, and the channel its card is in (for private answers). */
export function readIterationSubmission(
  form: IterationForm,
  view: unknown,
): {
  submission: Extract<ChatSubmission, { kind: 'feedback' | 'decline' | 'stale' }>;
  channelId: string | undefined;
} {
  const parsed = submissionSchema.safeParse(view);
  const metadata = parsed.success ? safeJson(parsed.data.private_metadata) : undefined;
  const target = metadataSchema.safeParse(metadata);
  if (!parsed.success || !target.success)
    return { submission: { kind: 'stale', form }, channelId: undefined };
  const { designId, iteration, channelId } = target.data;
  const { blockId, actionId } = forms[form];
  const text = parsed.data.state.values[blockId]?.[actionId]?.value ?? '';
  return {
    submission:
      form === 'feedback'
        ? { kind: 'feedback', designId, iteration, feedback: text }
        : { kind: 'decline', designId, iteration, reason: text },
    channelId: channelId || undefined,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
