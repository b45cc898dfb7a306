import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { z } from 'zod';
import { clip } from '../../text.ts';
import { maxFeedbackLength } from '../../workflow/prompts.ts';
import type { ChatSubmission } from '../chat/chat-request.ts';

/**
 * The two forms about one iteration of a front view: "Request changes" and "Decline" (with the reason
 * told to the requester). The custom id names the form, the design and the iteration.
 */
export type IterationForm = 'feedback' | 'decline';

const forms = {
  // The prefix of the first form predates the second: kept, so forms open during a deploy still count.
  feedback: {
    prefix: 'facet1m',
    inputId: 'feedback',
    title: 'Request changes',
    label: (iteration: number) => `What should change in iteration ${iteration}?`,
    placeholder: 'e.g. a warmer colour, rounder edges and a matte finish',
  },
  decline: {
    prefix: 'facet1d',
    inputId: 'reason',
    title: 'Decline this design',
    label: (iteration: number) => `Why is iteration ${iteration} declined?`,
    placeholder: 'The requester is told. The design ends and its credits are returned.',
  },
} as const;

export function discordIterationModal(
  form: IterationForm,
  target: { designId: string; iteration: number },
): APIModalInteractionResponseCallbackData {
  const words = forms[form];
  return {
    custom_id: `${words.prefix}:${target.designId}:${target.iteration}`,
    title: words.title,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: words.inputId,
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
  return (Object.keys(forms) as IterationForm[]).find((form) => forms[form].prefix === prefix);
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
