import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

export const feedbackModalCallbackId = 'facet_feedback';
const blockId = 'facet_feedback_block';
const actionId = 'facet_feedback_text';

const metadataSchema = z.object({
  designId: z.uuid(),
  iteration: z.int().positive(),
  channelId: z.string(),
});

/** The "Request changes" modal; which design and iteration it edits travels in private_metadata. */
export function feedbackModal(target: z.infer<typeof metadataSchema>) {
  return {
    type: 'modal' as const,
    callback_id: feedbackModalCallbackId,
    private_metadata: JSON.stringify(target),
    title: { type: 'plain_text' as const, text: 'Request changes' },
    submit: { type: 'plain_text' as const, text: 'Revise' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: blockId,
        label: { type: 'plain_text' as const, text: `What should change in iteration ${target.iteration}?` },
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          multiline: true,
          // Slack enforces this too; the server checks again because a payload can be forged.
          max_length: maxFeedbackLength,
          placeholder: {
            type: 'plain_text' as const,
            text: 'e.g. a warmer colour, rounder edges and a matte finish',
          },
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

/** The block under which errors about the feedback go (response_action: errors). */
export const feedbackErrorBlock = blockId;

/** Reads a submission, and the channel its card is in (for private answers). */
export function readFeedbackSubmission(view: unknown): {
  submission: Extract<ChatSubmission, { kind: 'feedback' | 'stale' }>;
  channelId: string | undefined;
} {
  const parsed = submissionSchema.safeParse(view);
  const metadata = parsed.success ? safeJson(parsed.data.private_metadata) : undefined;
  const target = metadataSchema.safeParse(metadata);
  if (!parsed.success || !target.success)
    return { submission: { kind: 'stale', form: 'feedback' }, channelId: undefined };
  const { designId, iteration, channelId } = target.data;
  const feedback = parsed.data.state.values[blockId]?.[actionId]?.value ?? '';
  return {
    submission: { kind: 'feedback', designId, iteration, feedback },
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
