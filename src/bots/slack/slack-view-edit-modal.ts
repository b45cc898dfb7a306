import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import { remainingViews, type RemainingView } from '../../workflow/views.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

export const viewEditModalCallbackId = 'facet_view_edit';
const blockId = 'facet_view_edit_block';
const actionId = 'facet_view_edit_text';

const metadataSchema = z.object({
  designId: z.uuid(),
  view: z.enum(remainingViews),
  channelId: z.string(),
});

/** "Edit back view": what should change in that one view, optional (empty draws it again). */
export function viewEditModal(target: { designId: string; view: RemainingView; channelId: string }) {
  return {
    type: 'modal' as const,
    callback_id: viewEditModalCallbackId,
    private_metadata: JSON.stringify(target),
    title: { type: 'plain_text' as const, text: `Edit the ${target.view} view` },
    submit: { type: 'plain_text' as const, text: 'Redraw' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: blockId,
        optional: true,
        label: { type: 'plain_text' as const, text: `What should change in the ${target.view} view?` },
        hint: {
          type: 'plain_text' as const,
          text: 'Leave it empty to draw the view again as it is. It costs the edit price, like any change.',
        },
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          multiline: true,
          max_length: maxFeedbackLength,
          placeholder: { type: 'plain_text' as const, text: 'e.g. show the ports and the vents clearly' },
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

/** The block under which errors about the instruction go (response_action: errors). */
export const viewEditErrorBlock = blockId;

export function readViewEditSubmission(view: unknown): {
  submission: Extract<ChatSubmission, { kind: 'view_edit' | 'stale' }>;
  channelId: string | undefined;
} {
  const parsed = submissionSchema.safeParse(view);
  let metadata: unknown;
  try {
    metadata = parsed.success ? JSON.parse(parsed.data.private_metadata) : undefined;
  } catch {
    metadata = undefined;
  }
  const target = metadataSchema.safeParse(metadata);
  if (!parsed.success || !target.success)
    return { submission: { kind: 'stale', form: 'view_edit' }, channelId: undefined };
  const { designId, view: which, channelId } = target.data;
  const instruction = parsed.data.state.values[blockId]?.[actionId]?.value ?? '';
  return {
    submission: { kind: 'view_edit', designId, view: which, instruction },
    channelId: channelId || undefined,
  };
}
