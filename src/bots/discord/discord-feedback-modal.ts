import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { z } from 'zod';
import { maxFeedbackLength } from '../../workflow/prompts.ts';

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
            label: `What should change in iteration ${target.iteration}?`.slice(0, 45),
            placeholder: 'e.g. make the ear cups rounder and the band thinner',
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

export type DiscordFeedback = { designId: string; iteration: number; feedback: string } | { error: string };

export function isFeedbackModal(customId: string): boolean {
  return customId.startsWith(`${prefix}:`);
}

/** Validates a submission; Discord modals cannot show errors inline, so the caller replies privately. */
export function readDiscordFeedback(customId: string, values: ReadonlyMap<string, string>): DiscordFeedback {
  const [, designId, iteration] = customId.split(':');
  const target = targetSchema.safeParse({ designId, iteration });
  if (!target.success) return { error: 'This form is out of date; press Request changes again.' };
  const feedback = (values.get(inputId) ?? '').trim();
  if (feedback === '') return { error: 'Say what should change; nothing was changed.' };
  if (feedback.length > maxFeedbackLength)
    return {
      error: `Keep it to ${maxFeedbackLength} characters or fewer (this is ${feedback.length}); nothing was changed.`,
    };
  return { ...target.data, feedback };
}
