import { describe, expect, it } from 'vitest';
import { formDesignCommand } from '../../../src/bots/chat/design-command.ts';
import { newDesignModal, readNewDesignSubmission } from '../../../src/bots/slack/slack-new-design-modal.ts';
import { maxPromptLength } from '../../../src/workflow/prompts.ts';

/** A submission as Slack sends the view back: the form's own metadata, the fields' values. */
function submitted(
  prompt: string | null,
  channel: string | null,
  metadata = newDesignModal().private_metadata,
) {
  return {
    private_metadata: metadata,
    state: {
      values: {
        facet_new_design_prompt: {
          facet_new_design_prompt_text: { type: 'plain_text_input', value: prompt },
        },
        facet_new_design_channel: {
          facet_new_design_channel_select: { type: 'conversations_select', selected_conversation: channel },
        },
      },
    },
  };
}

describe('the New design form', () => {
  it('reads the prompt and the chosen channel', () => {
    expect(readNewDesignSubmission(submitted('a desk lamp', 'C123'))).toEqual({
      kind: 'design',
      prompt: 'a desk lamp',
      channelId: 'C123',
    });
  });

  it('refuses a missing channel or a direct message under the select, and a form it did not open as stale', () => {
    expect(readNewDesignSubmission(submitted('a desk lamp', null)).kind).toBe('no_channel');
    expect(readNewDesignSubmission(submitted('a desk lamp', 'D123')).kind).toBe('no_channel');
    expect(readNewDesignSubmission(submitted('a desk lamp', 'C123', 'old')).kind).toBe('stale');
    expect(readNewDesignSubmission({ state: {} }).kind).toBe('stale');
  });

  it('limits the prompt field as /design limits the prompt', () => {
    const prompt = newDesignModal().blocks[0]!.element as { max_length?: number };
    expect(prompt.max_length).toBe(maxPromptLength);
  });
});

describe('formDesignCommand', () => {
  it('takes the whole field as the prompt, even when it starts with a subcommand word', () => {
    expect(formDesignCommand('  help desk organiser ')).toEqual({
      kind: 'create',
      prompt: 'help desk organiser',
    });
  });

  it('refuses an empty or over-long prompt as a misuse', () => {
    expect(formDesignCommand(' \n ').kind).toBe('misuse');
    const long = formDesignCommand('x'.repeat(maxPromptLength + 1));
    expect(long.kind === 'misuse' && long.text).toMatch(/too long/);
    expect(formDesignCommand('x'.repeat(maxPromptLength)).kind).toBe('create');
  });
});
