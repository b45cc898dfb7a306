import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSlackCardPlace } from '../../../src/bots/slack/slack-card-place.ts';
import { readSettingsSubmission, settingsModal } from '../../../src/bots/slack/slack-settings-modal.ts';
import { readSlackThreadReply } from '../../../src/bots/slack/slack-thread-replies.ts';
import { channel, startSlackKit, type SlackKit } from './slack-kit.ts';

const reply = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channel: 'C1',
  user: 'U1',
  text: 'rounder please',
  ts: '1700000000.000200',
  thread_ts: '1700000000.000100',
  ...extra,
});

describe('readSlackThreadReply', () => {
  it('reads a person’s reply in a thread, also one sent to the channel too or with a file', () => {
    expect(readSlackThreadReply(reply())).toMatchObject({ user: 'U1', thread_ts: '1700000000.000100' });
    expect(readSlackThreadReply(reply({ subtype: 'thread_broadcast' }))).toBeDefined();
    expect(readSlackThreadReply(reply({ subtype: 'file_share' }))).toBeDefined();
  });

  it('skips bots (Facet included), edits, deletions, top-level messages and junk', () => {
    expect(readSlackThreadReply(reply({ bot_id: 'B0FACET' }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ subtype: 'bot_message' }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ subtype: 'message_changed' }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ subtype: 'message_deleted' }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ thread_ts: undefined }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ thread_ts: '1700000000.000200' }))).toBeUndefined();
    expect(readSlackThreadReply(reply({ user: 42 }))).toBeUndefined();
    expect(readSlackThreadReply(null)).toBeUndefined();
  });
});

describe('the settings form’s thread-replies box', () => {
  const base = {
    teamId: 'T1',
    approverGroup: null,
    requestersApprove: null,
    approvalNotices: 'thread' as const,
    prices: { design: 3, variation: 2, edit: 1 },
    monthlyBudgetCents: null,
    groups: [],
  };
  const submitted = (selected: { value: string }[] | undefined) => ({
    private_metadata: JSON.stringify({ teamId: 'T1' }),
    state: {
      values: {
        facet_settings_price_design: { value: { value: '3' } },
        facet_settings_price_variation: { value: { value: '2' } },
        facet_settings_price_edit: { value: { value: '1' } },
        ...(selected === undefined
          ? {}
          : {
              facet_settings_thread_replies: {
                facet_settings_thread_replies_check: { selected_options: selected },
              },
            }),
      },
    },
  });

  it('shows the box ticked as the workspace has it', () => {
    const blocks = (on: boolean) =>
      settingsModal({ ...base, threadReplies: on }).blocks.find(
        (block) => block.block_id === 'facet_settings_thread_replies',
      );
    expect(JSON.stringify(blocks(true))).toContain('initial_options');
    expect(JSON.stringify(blocks(false))).not.toContain('initial_options');
  });

  it('reads it ticked, unticked, and leaves it alone in a form that did not have it', () => {
    const read = (selected: { value: string }[] | undefined) => {
      const submission = readSettingsSubmission(submitted(selected));
      if (!('kind' in submission) || submission.kind !== 'settings') throw new Error('not read');
      return submission.settings.threadReplies;
    };
    expect(read([{ value: 'on' }])).toBe(true);
    expect(read([])).toBe(false);
    expect(read(undefined)).toBeUndefined();
  });
});

describe('Slack: a reply in a card’s thread, delivered by the Events API', () => {
  let kit: SlackKit;
  let design: string;
  let cardTs: string;

  beforeAll(async () => {
    kit = await startSlackKit('slack_thread_replies', { publicImages: true });
  });
  afterAll(async () => {
    await kit.close();
  });

  const stateOf = async () => {
    const snapshot = await kit.h.workflow.service.snapshot(design);
    return { state: snapshot?.state, iteration: snapshot?.iteration, held: snapshot?.held };
  };
  const message = (ts: string, extra: Record<string, unknown> = {}) => ({
    type: 'message',
    channel,
    channel_type: 'channel',
    user: 'U1',
    text: 'a brushed brass base',
    ts,
    thread_ts: cardTs,
    event_ts: ts,
    ...extra,
  });

  it('starts one iteration for a reply Slack delivers twice (a retry), at once and again later', async () => {
    await kit.post(kit.command('a table lamp', 'U1'));
    design = await kit.designOf('U1', 'a table lamp');
    await kit.waitForButton(/^Approve\b/);
    cardTs = readSlackCardPlace((await kit.h.workflow.service.snapshot(design))!.surface)!.ts!;
    await kit.h.test.db.updateTable('workspaces').set({ thread_replies: true }).execute();

    const ts = `${Math.floor(Date.now() / 1000)}.000777`;
    const event = message(ts);
    const [first, retry] = await Promise.all([
      kit.sendEvent(event, { eventId: 'EvREPLY1' }),
      kit.sendEvent(event, { eventId: 'EvREPLY1', retry: 1 }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await expect
      .poll(stateOf, { timeout: 10_000 })
      .toEqual({ state: 'awaiting_approval', iteration: 2, held: 4 });
    // Slack's last retry can come after the iteration is drawn: it still counts once.
    await kit.sendEvent(event, { eventId: 'EvREPLY1', retry: 2 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stateOf()).toEqual({ state: 'awaiting_approval', iteration: 2, held: 4 });
    const marks = kit.slack.callsTo('reactions.add').filter((call) => call.args.timestamp === ts);
    expect(marks.map((call) => [call.args.name, call.args.channel])).toEqual([['eyes', channel]]);
    const iterations = await kit.h.test.db
      .selectFrom('design_iterations')
      .select(['iteration', 'feedback', 'requested_by'])
      .where('design_id', '=', design)
      .orderBy('iteration')
      .execute();
    expect(iterations.map((row) => row.feedback)).toEqual([null, 'a brushed brass base']);
    expect(iterations[1]?.requested_by).toBe('U1');
  });

  it('ignores Facet’s own messages, edits and messages outside the card’s thread', async () => {
    const before = await stateOf();
    const ephemerals = kit.slack.callsTo('chat.postEphemeral').length;
    const stamp = Math.floor(Date.now() / 1000);
    await kit.sendEvent(message(`${stamp}.000801`, { bot_id: 'B0FACET', user: 'U0FACET' }));
    await kit.sendEvent(message(`${stamp}.000802`, { subtype: 'message_changed' }));
    // Another message's thread. Not `${stamp}.000001`: the fake numbers its messages `<second>.<count>`, so
    // that is the card itself whenever the card was posted in this same second.
    await kit.sendEvent(message(`${stamp}.000803`, { thread_ts: '1000000000.000001' }));
    await kit.sendEvent(message(`${stamp}.000804`, { thread_ts: undefined }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stateOf()).toEqual(before);
    expect(kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemerals);
    expect(
      kit.slack.callsTo('reactions.add').filter((call) => /\.0008\d\d$/.test(String(call.args.timestamp))),
    ).toEqual([]);
  });

  it('answers the requester privately in the thread when the change cannot be paid for, and changes nothing', async () => {
    // Nothing left to reserve: the reply is refused as the form would be, and nothing starts.
    const account = await kit.h.test.db
      .selectFrom('credit_accounts')
      .select(['id', 'posted_credits', 'posted_debits', 'pending_debits'])
      .where('user_id', '=', 'U1')
      .executeTakeFirstOrThrow();
    await kit.h.test.db
      .updateTable('credit_accounts')
      .set({ posted_credits: account.posted_debits + account.pending_debits })
      .where('id', '=', account.id)
      .execute();
    const before = await stateOf();
    const seen = kit.slack.callsTo('chat.postEphemeral').length;
    await kit.sendEvent(message(`${Math.floor(Date.now() / 1000)}.000900`, { text: 'taller' }));
    await expect
      .poll(() => kit.slack.callsTo('chat.postEphemeral')[seen]?.args, { timeout: 10_000 })
      .toMatchObject({
        user: 'U1',
        thread_ts: cardTs,
        text: expect.stringMatching(/This needs 1 credit/) as unknown,
      });
    expect(await stateOf()).toEqual(before);
  });
});
