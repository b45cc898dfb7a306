import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDesignModal } from '../../../src/bots/slack/slack-new-design-modal.ts';
import { inState, waitFor } from '../../workflow/workflow-harness.ts';
import { startSlackKit, team, type SlackKit } from './slack-kit.ts';

/** The "New design" global shortcut and its form, through Bolt over signed HTTP and the loopback Slack. */
describe('Slack: the New design shortcut', () => {
  let kit: SlackKit;
  let views = 0;

  beforeAll(async () => {
    kit = await startSlackKit('slack_new_design', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  /** The global shortcut as Slack posts it: no channel, a trigger for the form. */
  function shortcut(user: string, trigger: string): string {
    const payload = {
      type: 'shortcut',
      token: 'deprecated-verification-token',
      action_ts: String(Date.now() / 1000),
      team: { id: team, domain: 'acme' },
      user: { id: user, username: user.toLowerCase(), team_id: team },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: 'facet_new_design',
      trigger_id: trigger,
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  /** The form coming back: each submission is a view of its own (Slack gives every opened form an id). */
  function submission(
    user: string,
    prompt: string | null,
    channel: string,
    options: { viewId?: string; metadata?: string } = {},
  ): string {
    views += 1;
    const payload = {
      type: 'view_submission',
      team: { id: team, domain: 'acme' },
      user: { id: user, team_id: team },
      api_app_id: 'A0FACET',
      trigger_id: `trigger-submit-${views}`,
      view: {
        id: options.viewId ?? `V-NEW-${views}`,
        type: 'modal',
        callback_id: 'facet_new_design_form',
        private_metadata: options.metadata ?? newDesignModal().private_metadata,
        state: {
          values: {
            facet_new_design_prompt: {
              facet_new_design_prompt_text: { type: 'plain_text_input', value: prompt },
            },
            facet_new_design_channel: {
              facet_new_design_channel_select: {
                type: 'conversations_select',
                selected_conversation: channel,
              },
            },
          },
        },
      },
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  /** The errors a submission's answer shows in the form, by block. */
  function formErrors(answer: { text: string }): Record<string, string> {
    const parsed = JSON.parse(answer.text) as { response_action: string; errors: Record<string, string> };
    expect(parsed.response_action).toBe('errors');
    return parsed.errors;
  }

  async function designsOf(user: string) {
    return kit.h.test.db
      .selectFrom('designs')
      .select(['id', 'state'])
      .where('requester_id', '=', user)
      .execute();
  }

  /** The direct messages Facet sent the person (chat.postMessage to their user id). */
  const directMessages = (user: string) =>
    kit.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === user)
      .map((call) => String(call.args.text));

  it('opens the form with the prompt and a channel select starting on the current conversation', async () => {
    const answer = await kit.post(shortcut('U1', 'trigger-shortcut-1'));
    expect(answer.status).toBe(200);
    await expect.poll(() => kit.slack.callsTo('views.open').length, { timeout: 10_000 }).toBe(1);
    const { args } = kit.slack.callsTo('views.open')[0]!;
    expect(args.trigger_id).toBe('trigger-shortcut-1');
    expect(args.view).toMatchObject({
      type: 'modal',
      callback_id: 'facet_new_design_form',
      title: { type: 'plain_text', text: 'New design' },
      blocks: [
        {
          type: 'input',
          block_id: 'facet_new_design_prompt',
          element: { type: 'plain_text_input', multiline: true, max_length: 2000 },
        },
        {
          type: 'input',
          block_id: 'facet_new_design_channel',
          element: {
            type: 'conversations_select',
            default_to_current_conversation: true,
            filter: { include: ['public', 'private'], exclude_bot_users: true },
          },
        },
      ],
    });
    // Opening the form starts nothing and reserves nothing.
    expect(await designsOf('U1')).toEqual([]);
  });

  it('starts the design as /design would and posts its card in the chosen channel', async () => {
    const body = submission('U1', '  a bamboo desk lamp with a linen shade ', 'C0CHOSEN', {
      viewId: 'V-LAMP',
    });
    const answer = await kit.post(body);
    // An empty answer closes the form.
    expect(answer).toEqual({ status: 200, text: '' });
    const design = await kit.designOf('U1', 'a bamboo desk lamp with a linen shade');
    await expect
      .poll(
        () =>
          kit.slack
            .callsTo('chat.postMessage')
            .find(
              (call) =>
                call.args.channel === 'C0CHOSEN' && JSON.stringify(call.args.blocks).includes('facet_title'),
            ),
        { timeout: 10_000 },
      )
      .toBeDefined();
    await waitFor(kit.h.workflow, design, inState('awaiting_approval'));
    const snapshot = await kit.h.workflow.service.snapshot(design);
    expect(snapshot?.surface).toMatchObject({ slack: { teamId: team, channelId: 'C0CHOSEN' } });
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'U1' });
    expect(balance.held).toBe(3);
    // The same submission delivered again starts nothing new.
    expect((await kit.post(body)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await designsOf('U1')).toHaveLength(1);
  });

  it('refuses an empty prompt inside the form and creates nothing', async () => {
    for (const prompt of ['   \n  ', null]) {
      const answer = await kit.post(submission('U-empty', prompt, 'C0CHOSEN'));
      expect(answer.status).toBe(200);
      expect(Object.keys(formErrors(answer))).toEqual(['facet_new_design_prompt']);
      expect(formErrors(answer).facet_new_design_prompt).toMatch(/Describe the product to design/);
    }
    expect(await designsOf('U-empty')).toEqual([]);
  });

  it('refuses an over-long prompt, a direct message as the channel and an unknown form inside the form', async () => {
    const long = await kit.post(submission('U-long', 'x'.repeat(2001), 'C0CHOSEN'));
    expect(formErrors(long).facet_new_design_prompt).toMatch(/too long: keep it to 2000 characters/);
    const dm = await kit.post(submission('U-long', 'a stool', 'D0DIRECT'));
    expect(formErrors(dm).facet_new_design_channel).toMatch(/Choose a channel/);
    const stale = await kit.post(submission('U-long', 'a stool', 'C0CHOSEN', { metadata: 'forged' }));
    expect(formErrors(stale).facet_new_design_prompt).toMatch(/out of date/);
    expect(await designsOf('U-long')).toEqual([]);
  });

  it('tells a person without credits so in a direct message, and reserves nothing', async () => {
    const account = { workspaceId: await kit.workspaceId(), userId: 'U-poor' };
    // Everything the person has is reserved elsewhere already.
    await kit.h.ledger.reserve({ account, subject: 'test:elsewhere', amount: 10, key: 'test-drain-U-poor' });
    const answer = await kit.post(submission('U-poor', 'a walnut phone stand', 'C0CHOSEN'));
    expect(answer).toEqual({ status: 200, text: '' });
    await expect.poll(() => directMessages('U-poor').length, { timeout: 10_000 }).toBe(1);
    expect(directMessages('U-poor')[0]).toMatch(
      /This needs 3 credits and you have 0 available. Nothing was reserved/,
    );
    expect(await designsOf('U-poor')).toEqual([]);
    expect(await kit.h.ledger.balance(account)).toEqual({ balance: 10, held: 10, available: 0 });
    expect(
      kit.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0CHOSEN'),
    ).toHaveLength(1);
  });

  it('explains a channel Facet cannot post in by direct message, and gives the credits back', async () => {
    kit.slack.closedChannels.add('C0PRIVATE');
    const answer = await kit.post(submission('U-closed', 'a cork yoga block', 'C0PRIVATE'));
    expect(answer).toEqual({ status: 200, text: '' });
    await expect.poll(() => directMessages('U-closed').length, { timeout: 10_000 }).toBe(1);
    expect(directMessages('U-closed')[0]).toMatch(/Facet cannot post in this conversation. Invite it first/);
    const [design] = await designsOf('U-closed');
    expect(design?.state).toBe('cancelled');
    const balance = await kit.h.ledger.balance({ workspaceId: await kit.workspaceId(), userId: 'U-closed' });
    expect(balance).toEqual({ balance: 10, held: 0, available: 10 });
  });
});
