import { z } from 'zod';
import { maxPromptLength } from '../../workflow/prompts.ts';

/** The global shortcut's callback id (manifest.yml, features.shortcuts) and its form's ids. */
export const newDesignShortcutId = 'facet_new_design';
export const newDesignModalCallbackId = 'facet_new_design_form';
export const newDesignPromptBlock = 'facet_new_design_prompt';
const promptAction = 'facet_new_design_prompt_text';
export const newDesignChannelBlock = 'facet_new_design_channel';
const channelAction = 'facet_new_design_channel_select';

/** Marks a form this version of Facet opened; anything else submitted under the callback id is stale. */
const formVersion = 'new-design-v1';

/**
 * The "New design" form: the prompt `/design` takes (the same limit: Slack enforces it in the field, the
 * chat layer again on submit) and the channel its card goes to. A global shortcut carries no channel,
 * so the select starts on the conversation the person is looking at, where Slack knows it.
 */
export function newDesignModal() {
  return {
    type: 'modal' as const,
    callback_id: newDesignModalCallbackId,
    private_metadata: formVersion,
    title: { type: 'plain_text' as const, text: 'New design' },
    submit: { type: 'plain_text' as const, text: 'Start design' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: newDesignPromptBlock,
        label: { type: 'plain_text' as const, text: 'Describe the product' },
        hint: {
          type: 'plain_text' as const,
          text: 'Facet shows the front view first; you approve it or ask for changes on the card.',
        },
        element: {
          type: 'plain_text_input',
          action_id: promptAction,
          multiline: true,
          max_length: maxPromptLength,
          placeholder: { type: 'plain_text' as const, text: 'wireless headphones in matte black' },
        },
      },
      {
        type: 'input',
        block_id: newDesignChannelBlock,
        label: { type: 'plain_text' as const, text: 'Post the card in' },
        element: {
          type: 'conversations_select',
          action_id: channelAction,
          default_to_current_conversation: true,
          // Channels only: a card in someone else's direct message is one Facet cannot post.
          filter: { include: ['public', 'private'], exclude_bot_users: true },
          placeholder: { type: 'plain_text' as const, text: 'Choose a channel' },
        },
      },
    ],
  };
}

const submissionSchema = z.object({
  private_metadata: z.literal(formVersion),
  state: z.object({
    values: z.object({
      [newDesignPromptBlock]: z.object({ [promptAction]: z.object({ value: z.string().nullish() }) }),
      [newDesignChannelBlock]: z.object({
        [channelAction]: z.object({ selected_conversation: z.string().nullish() }),
      }),
    }),
  }),
});

/** A channel Facet could post a card in: public or private channels (not DMs, not group DMs). */
const channelId = /^[CG][A-Z0-9]{2,}$/;

export type NewDesignSubmission =
  | { kind: 'design'; prompt: string; channelId: string }
  /** No channel, or a conversation that is not a channel: said under the select. */
  | { kind: 'no_channel'; error: string }
  /** A form this version did not open (an older one, or forged). */
  | { kind: 'stale'; error: string };

/** The prompt and channel of a submitted form. */
export function readNewDesignSubmission(view: unknown): NewDesignSubmission {
  const parsed = submissionSchema.safeParse(view);
  if (!parsed.success)
    return {
      kind: 'stale',
      error: 'This form is out of date; close it and use the New design shortcut again.',
    };
  const values = parsed.data.state.values;
  const channel = values[newDesignChannelBlock][channelAction].selected_conversation ?? '';
  if (!channelId.test(channel))
    return { kind: 'no_channel', error: 'Choose a channel for the card (not a direct message).' };
  return {
    kind: 'design',
    prompt: values[newDesignPromptBlock][promptAction].value ?? '',
    channelId: channel,
  };
}
