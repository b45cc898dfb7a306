import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

const prefix = 'facet1m';
const inputId = 'feedback';

/** The "Request changes" modal; its custom id names the design and the iteration it edits. */
export function discordFeedbackModal(target: {
  designId: string;
  iteration: number;
}): APIModalInteractionResponseCallbackData {
  return {
    custom_id: `${prefix}:${target.designId}:${target.iteration}`,
    title: 'Request changes',
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: inputId,
            style: TextInputStyle.Paragraph,
            label: clip(`What should change in iteration ${target.iteration}?`, 45),
            placeholder: 'e.g. a warmer colour, rounder edges and a matte finish',
            min_length: 1,
            // Discord enforces this too; the server checks again because a payload can be forged.
            max_length: maxFeedbackLength,
            required: true,
          },
        ],
      },
    ],
  };
}

const targetSchema = z.object({ designId: z.uuid(), iteration: z.coerce.number().int().positive() });

export function isFeedbackModal(customId: string): boolean {
  return customId.startsWith(`${prefix}:`);
}

/** Reads a submission: the design and iteration from the custom id, the text as typed. */
export function readDiscordFeedback(
  customId: string,
  values: ReadonlyMap<string, string>,
): Extract<ChatSubmission, { kind: 'feedback' | 'stale' }> {
  const [, designId, iteration] = customId.split(':');
  const target = targetSchema.safeParse({ designId, iteration });
  if (!target.success) return { kind: 'stale', form: 'feedback' };
  return { kind: 'feedback', ...target.data, feedback: values.get(inputId) ?? '' };
}
