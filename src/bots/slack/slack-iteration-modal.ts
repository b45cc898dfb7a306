import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';
import { iterationForms, iterationFormWords, type IterationForm } from '../chat/iteration-forms.ts';

/** Slack's ids of each iteration form: where its text goes. The words are the chat layer's. */
const forms = {
  feedback: {
    callbackId: 'facet_feedback',
    blockId: 'facet_feedback_block',
    actionId: 'facet_feedback_text',
  },
  decline: {
    callbackId: 'facet_decline',
    blockId: 'facet_decline_block',
    actionId: 'facet_decline_text',
  },
} as const satisfies Record<IterationForm, unknown>;

export { iterationForms, type IterationForm };

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
  const ids = forms[form];
  const words = iterationFormWords[form];
  return {
    type: 'modal' as const,
    callback_id: ids.callbackId,
    private_metadata: JSON.stringify(target),
    title: { type: 'plain_text' as const, text: words.title },
    submit: { type: 'plain_text' as const, text: words.submit },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: ids.blockId,
        label: { type: 'plain_text' as const, text: words.label(target.iteration) },
        ...(words.hint ? { hint: { type: 'plain_text' as const, text: words.hint } } : {}),
        element: {
          type: 'plain_text_input',
          action_id: ids.actionId,
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
