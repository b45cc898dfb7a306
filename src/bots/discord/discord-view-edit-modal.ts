import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import { remainingViews, type RemainingView } from '../../workflow/views.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

const prefix = 'facet1v';
const inputId = 'instruction';

/** "Edit back view": what should change in that view, optional; its custom id names design and view. */
export function discordViewEditModal(target: {
  designId: string;
  view: RemainingView;
}): APIModalInteractionResponseCallbackData {
  return {
    custom_id: `${prefix}:${target.designId}:${target.view}`,
    title: `Edit the ${target.view} view`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: inputId,
            style: TextInputStyle.Paragraph,
            // Discord caps a label at 45 characters.
            label: 'What should change? (empty: draw it again)',
            placeholder: 'e.g. show the ports and the vents clearly',
            max_length: maxFeedbackLength,
            required: false,
          },
        ],
      },
    ],
  };
}

const targetSchema = z.object({ designId: z.uuid(), view: z.enum(remainingViews) });

export function isViewEditModal(customId: string): boolean {
  return customId.startsWith(`${prefix}:`);
}

export function readDiscordViewEdit(
  customId: string,
  values: ReadonlyMap<string, string>,
): Extract<ChatSubmission, { kind: 'view_edit' | 'stale' }> {
  const [, designId, view] = customId.split(':');
  const target = targetSchema.safeParse({ designId, view });
  if (!target.success) return { kind: 'stale', form: 'view_edit' };
  return { kind: 'view_edit', ...target.data, instruction: values.get(inputId) ?? '' };
}
