import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';
import { iterationForms, iterationFormWords, type IterationForm } from '../chat/iteration-forms.ts';

/**
 * Discord's ids of each iteration form: the custom id's prefix and the text input's id. The words are
 * the chat layer's. The feedback form's prefix predates the decline form: kept, so forms open during a
 * deploy still count.
 */
const forms = {
  feedback: { prefix: 'facet1m', inputId: 'feedback' },
  decline: { prefix: 'facet1d', inputId: 'reason' },
} as const satisfies Record<IterationForm, unknown>;

export type { IterationForm };

export function discordIterationModal(
  form: IterationForm,
  target: { designId: string; iteration: number },
): APIModalInteractionResponseCallbackData {
  const ids = forms[form];
  const words = iterationFormWords[form];
  return {
    custom_id: `${ids.prefix}:${target.designId}:${target.iteration}`,
    title: words.title,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: ids.inputId,
            style: TextInputStyle.Paragraph,
            label: clip(words.label(target.iteration), 45),
            placeholder: words.placeholder,
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

/** The form a submission's custom id belongs to; undefined when it is not one of these. */
export function iterationFormOf(customId: string): IterationForm | undefined {
  const prefix = customId.split(':')[0];
  return iterationForms.find((form) => forms[form].prefix === prefix);
}

/** Reads a submission: the design and iteration from the custom id, the text as typed. */
export function readDiscordIterationForm(
  form: IterationForm,
  customId: string,
  values: ReadonlyMap<string, string>,
): Extract<ChatSubmission, { kind: 'feedback' | 'decline' | 'stale' }> {
  const [, designId, iteration] = customId.split(':');
  const target = targetSchema.safeParse({ designId, iteration });
  if (!target.success) return { kind: 'stale', form };
  const text = values.get(forms[form].inputId) ?? '';
  return form === 'feedback'
    ? { kind: 'feedback', ...target.data, feedback: text }
    : { kind: 'decline', ...target.data, reason: text };
}
