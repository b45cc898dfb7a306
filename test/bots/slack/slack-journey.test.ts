import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackCall } from '../../fakes/fake-slack-api.ts';
import { rerunSheetJobTwice } from '../../workflow/rerun-sheet-job.ts';
import { waitFor, inState } from '../../workflow/workflow-harness.ts';
import { channel, sign, startSlackKit, type SlackKit } from './slack-kit.ts';

describe('Slack app over HTTP (real Bolt, fake Slack Web API, real workflow)', () => {
  let kit: SlackKit;

  beforeAll(async () => {
    kit = await startSlackKit('slack_journey', { publicImages: true });
  });

  afterAll(async () => {
    await kit.close();
  });

  const post = (body: string, headers?: Record<string, string>) => kit.post(body, headers);
  const command = (text: string, user?: string) => kit.command(text, user);
  const click = (actionId: string, user?: string) => kit.click(actionId, user);
  const submit = (metadata: string, feedback: string, user?: string) =>
    kit.submit(
      'facet_feedback',
      metadata,
      { facet_feedback_block: { facet_feedback_text: { type: 'plain_text_input', value: feedback } } },
      user,
    );
  const statusOf = (call: SlackCall) => JSON.stringify(call.args.blocks);
  const buttons = (call: SlackCall) => kit.buttons(call);
  const lastCard = () => kit.lastCard();
  const waitForButton = (label: RegExp) => kit.waitForButton(label);

  it('runs the journey: card, quick edit, modal with validation, approve, charged', async () => {
    const started = performance.now();
    const ack = await post(command('wireless headphones in matte black'));
    expect(ack.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);

    await expect.poll(() => kit.slack.callsTo('chat.postMessage').length, { timeout: 10_000 }).toBe(1);
    const posted = kit.slack.callsTo('chat.postMessage')[0]!;
    expect(posted.args.channel).toBe(channel);
    expect(posted.args.text).toContain('wireless headphones');
    expect(statusOf(posted)).toContain('Requested by <@U1>');

    // The card fills in with the front view and its buttons.
    await expect
      .poll(() => buttons(lastCard()).map((b) => b.text.text.replace(/ \(.*\)$/, '')), { timeout: 10_000 })
      .toContain('Approve');
    const design = (
      await kit.h.test.db
        .selectFrom('designs')
        .select('id')
        .where('requester_id', '=', 'U1')
        .executeTakeFirstOrThrow()
    ).id;
    // The first post may go out before its picture (the card is edited to show it, by URL here).
    await expect
      .poll(() => JSON.stringify(lastCard().args.blocks), { timeout: 10_000 })
      .toContain('https://facet.example.com/');

    // A quick edit: iteration 2, one more credit.
    const minimal = buttons(lastCard()).find((b) => b.text.text.startsWith('More minimal'))!;
    expect((await post(click(minimal.action_id))).status).toBe(200);
    await waitFor(kit.h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');

    // Request changes: the modal opens with the trigger id; empty feedback is refused inside it.
    const changes = await waitForButton(/^Request changes/);
    await post(click(changes.action_id));
    await expect.poll(() => kit.slack.callsTo('views.open').length).toBe(1);
    const modal = kit.slack.callsTo('views.open')[0]!;
    expect(modal.args.trigger_id).toMatch(/^trigger-/);
    const metadata = (modal.args.view as { private_metadata: string }).private_metadata;
    const empty = await post(submit(metadata, '   '));
    expect(JSON.parse(empty.text)).toMatchObject({
      response_action: 'errors',
      errors: { facet_feedback_block: 'Say what should change.' },
    });
    const long = await post(submit(metadata, 'x'.repeat(1001)));
    expect(JSON.parse(long.text)).toMatchObject({ response_action: 'errors' });
    expect((await post(submit(metadata, 'make the band thinner'))).status).toBe(200);
    const third = await waitFor(
      kit.h.workflow,
      design,
      (d) => d.iteration === 3 && d.state === 'awaiting_approval',
    );
    expect(third.held).toBe(5);

    // The first iteration's Approve button is refused politely and changes nothing.
    const ephemeralBefore = kit.slack.callsTo('chat.postEphemeral').length;
    await post(click(`facet1:approve:${design}:1`));
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemeralBefore + 1);
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/earlier iteration/);

    // Someone else may not approve.
    await post(click(`facet1:approve:${design}:3`, 'U2'));
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(ephemeralBefore + 2);
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args.user).toBe('U2');
    expect((await kit.h.workflow.service.snapshot(design))!.state).toBe('awaiting_approval');

    const approve = await waitForButton(/^Approve\b/);
    await post(click(approve.action_id));
    const done = await waitFor(kit.h.workflow, design, inState('completed', 'failed'));
    expect(done.state).toBe('completed');
    expect(done.charged).toBe(5);
    await expect.poll(() => statusOf(lastCard())).toContain('5 credits charged');
    expect(statusOf(lastCard())).toContain('Approved by <@U1>');
    expect(buttons(lastCard()).map((b) => b.text.text)).toContain('Variation');
    // Every card update went to the one message that was posted.
    const ts = (
      await kit.h.test.db
        .selectFrom('designs')
        .select('surface')
        .where('id', '=', design)
        .executeTakeFirstOrThrow()
    ).surface;
    const cardTs = (ts.slack as { ts: string }).ts;
    const cardUpdates = kit.slack.callsTo('chat.update').filter((u) => statusOf(u).includes('facet_title'));
    for (const update of cardUpdates) expect(update.args.ts).toBe(cardTs);

    // The thread: one status message, edited until every view is done, then each image once.
    const threadPosts = () =>
      kit.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === cardTs);
    // Then the requester is told once, with a mention, that the design is complete.
    await expect.poll(() => threadPosts().length, { timeout: 10_000 }).toBe(9);
    const notices = threadPosts().filter((m) => m.args.blocks === undefined);
    expect(notices.map((m) => m.args.text)).toEqual([
      '<@U1> your design is complete: all five views are in this thread, 5 credits charged.',
    ]);
    const [status, ...images] = threadPosts().filter((m) => m.args.blocks !== undefined);
    expect(statusOf(status!)).toContain('Generating the back, side, top and bottom views');
    const imageUrls = images.map((m) => (m.args.blocks as { image_url: string }[])[0]!.image_url);
    for (const url of imageUrls) expect(url).toMatch(/^https:\/\/facet\.example\.com\//);
    expect(imageUrls[0]).toContain('front-3.png');
    expect(imageUrls.at(-2)).toContain('/r1/contact-sheet.png');
    expect(imageUrls.at(-1)).toContain('/r1/spec-sheet.png');
    expect(images.at(-1)!.args.text).toBe('Spec sheet (PDF on the design page)');
    expect(new Set(imageUrls.map((u) => /designs\/[^?]+/.exec(u)![0])).size).toBe(7);
    const statusTs = (
      await kit.h.test.db
        .selectFrom('chat_posts')
        .select('message_ref')
        .where('design_id', '=', design)
        .where('key', '=', 'status:r1')
        .executeTakeFirstOrThrow()
    ).message_ref;
    await expect
      .poll(() => {
        const edits = kit.slack.callsTo('chat.update').filter((u) => u.args.ts === statusTs);
        return edits.length > 0 ? statusOf(edits.at(-1)!) : '';
      })
      .toContain('Done: every view, the contact sheet and the spec sheet are below.');
    const finalStatus = statusOf(
      kit.slack
        .callsTo('chat.update')
        .filter((u) => u.args.ts === statusTs)
        .at(-1)!,
    );
    for (const view of ['Back', 'Side', 'Top', 'Bottom'])
      expect(finalStatus).toMatch(new RegExp(`${view}: done in \\d+ s`));

    // The sheet job run again, twice at once (a stalled job taken over): nothing is posted again.
    await rerunSheetJobTwice(kit.h, design, { shownOnCard: true });
    expect(threadPosts()).toHaveLength(9);
  });

  it('answers 401 to a forged or stale signature and changes nothing', async () => {
    const posts = kit.slack.callsTo('chat.postMessage').length;
    const responses = kit.slack.responses.length;
    const body = command('a forged request');
    expect((await post(body, sign(body, undefined, 'wrong-secret'))).status).toBe(401);
    expect((await post(body, sign(body, Math.floor(Date.now() / 1000) - 600))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(kit.slack.callsTo('chat.postMessage').length).toBe(posts);
    expect(kit.slack.responses.length).toBe(responses);
    const designs = await kit.h.test.db
      .selectFrom('designs')
      .select('id')
      .where('prompt', '=', 'a forged request')
      .execute();
    expect(designs).toHaveLength(0);
  });

  it('explains an empty prompt, help and an unknown button without changing anything', async () => {
    const responses = kit.slack.responses.length;
    expect((await post(command(''))).status).toBe(200);
    await expect.poll(() => kit.slack.responses.length).toBe(responses + 1);
    expect(String(kit.slack.responses.at(-1)!.text)).toContain('/design <description>');
    const usage = await post(command('create   '));
    expect((JSON.parse(usage.text) as { text: string }).text).toMatch(/Describe the product/);
    const long = await post(command('x'.repeat(2001)));
    expect((JSON.parse(long.text) as { text: string }).text).toMatch(
      /too long: keep it to 2000 characters or fewer/,
    );
    const before = kit.slack.callsTo('chat.postEphemeral').length;
    await post(click('facet1:approve:not-a-design:1'));
    await expect.poll(() => kit.slack.callsTo('chat.postEphemeral').length).toBe(before + 1);
    expect(kit.slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/not one of ours/);
  });

  it('tells a user without enough credits what it costs, and reserves nothing', async () => {
    for (let i = 0; i < 3; i++)
      await kit.h.ledger.reserve({
        account: {
          workspaceId: await kit.workspaceId(),
          userId: 'U9',
        },
        subject: `drain-${i}`,
        amount: 3,
        key: `drain-${i}`,
        expiresAt: new Date(Date.now() + 60_000),
      });
    const before = kit.slack.responses.length;
    await post(command('a lamp', 'U9'));
    await expect.poll(() => kit.slack.responses.length).toBe(before + 1);
    expect(String(kit.slack.responses.at(-1)!.text)).toMatch(/needs 3 credits and you have 1 available/);
  });
});
