import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp } from '../../../src/bots/slack/slack-app.ts';
import { SlackCardNotifier } from '../../../src/bots/slack/slack-card-notifier.ts';
import { LocalImageStore } from '../../../src/storage/images/local-image-store.ts';
import { CoalescingNotifier } from '../../../src/workflow/coalescing-notifier.ts';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../../fakes/fake-slack-api.ts';
import {
  createHarness,
  silentLogger,
  waitFor,
  inState,
  type Harness,
} from '../../workflow/workflow-harness.ts';

const signingSecret = 'test-signing-secret';
const team = 'T1';
const channel = 'C1';

function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = signingSecret) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

describe('Slack app over HTTP (real Bolt, fake Slack Web API, real workflow)', () => {
  let h: Harness;
  let slack: FakeSlack;
  let server: Server;
  let endpoint: string;
  let triggers = 0;
  let imageDir: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    // Slack must be able to fetch image URLs itself: a public base URL, as in production.
    imageDir = await mkdtemp(path.join(tmpdir(), 'facet-slack-images-'));
    const images = new LocalImageStore({
      dir: imageDir,
      publicUrl: 'https://facet.example.com',
      secret: 'image-secret',
    });
    const cards = new SlackCardNotifier({ client, images, clock: () => new Date(), logger: silentLogger });
    h = await createHarness('slack_journey', {
      images,
      notifier: new CoalescingNotifier(cards, { intervalMs: 20, logger: silentLogger }),
    });
    const { app } = createSlackApp({
      signingSecret,
      botToken: 'xoxb-test',
      client,
      service: h.workflow.service,
      ledger: h.ledger,
      db: h.test.db,
      cards,
      logger: silentLogger,
    });
    server = await app.start(0);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    server.close();
    await h.close();
    await slack.close();
    await rm(imageDir, { recursive: true, force: true });
  });

  async function post(body: string, headers: Record<string, string> = sign(body)) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  function command(text: string, user = 'U1') {
    triggers += 1;
    return new URLSearchParams({
      command: '/design',
      text,
      team_id: team,
      channel_id: channel,
      user_id: user,
      trigger_id: `trigger-${triggers}`,
      response_url: `${slack.url}/response/${triggers}`,
    }).toString();
  }

  function click(actionId: string, user = 'U1') {
    triggers += 1;
    const payload = {
      type: 'block_actions',
      team: { id: team },
      user: { id: user },
      channel: { id: channel },
      trigger_id: `trigger-${triggers}`,
      container: { type: 'message', channel_id: channel },
      actions: [{ type: 'button', action_id: actionId, block_id: 'facet_actions_0', value: actionId }],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  function submit(metadata: string, feedback: string, user = 'U1') {
    const payload = {
      type: 'view_submission',
      team: { id: team },
      user: { id: user },
      view: {
        id: 'V1',
        callback_id: 'facet_feedback',
        private_metadata: metadata,
        state: {
          values: {
            facet_feedback_block: { facet_feedback_text: { type: 'plain_text_input', value: feedback } },
          },
        },
      },
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  const buttons = (call: SlackCall) =>
    (call.args.blocks as { type: string; elements?: { action_id: string; text: { text: string } }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
  const statusOf = (call: SlackCall) => JSON.stringify(call.args.blocks);
  const lastCard = () =>
    [...slack.calls].reverse().find((c) => c.method === 'chat.update' || c.method === 'chat.postMessage')!;

  it('runs the journey: card, quick edit, modal with validation, approve, charged', async () => {
    const started = performance.now();
    const ack = await post(command('wireless headphones in matte black'));
    expect(ack.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);

    await expect.poll(() => slack.callsTo('chat.postMessage').length, { timeout: 10_000 }).toBe(1);
    const posted = slack.callsTo('chat.postMessage')[0]!;
    expect(posted.args.channel).toBe(channel);
    expect(posted.args.text).toContain('wireless headphones');
    expect(statusOf(posted)).toContain('Requested by <@U1>');

    // The card fills in with the front view and its buttons.
    await expect
      .poll(() => buttons(lastCard()).map((b) => b.text.text), { timeout: 10_000 })
      .toContain('Approve');
    const design = (
      await h.test.db
        .selectFrom('designs')
        .select('id')
        .where('requester_id', '=', 'U1')
        .executeTakeFirstOrThrow()
    ).id;
    expect(JSON.stringify(lastCard().args.blocks)).toContain('https://facet.example.com/');

    // A quick edit: iteration 2, one more credit.
    const minimal = buttons(lastCard()).find((b) => b.text.text === 'More minimal')!;
    expect((await post(click(minimal.action_id))).status).toBe(200);
    await waitFor(h.workflow, design, (d) => d.iteration === 2 && d.state === 'awaiting_approval');

    // Request changes: the modal opens with the trigger id; empty feedback is refused inside it.
    const changes = await waitForButton(/^Request changes/);
    await post(click(changes.action_id));
    await expect.poll(() => slack.callsTo('views.open').length).toBe(1);
    const modal = slack.callsTo('views.open')[0]!;
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
      h.workflow,
      design,
      (d) => d.iteration === 3 && d.state === 'awaiting_approval',
    );
    expect(third.held).toBe(5);

    // The first iteration's Approve button is refused politely and changes nothing.
    const ephemeralBefore = slack.callsTo('chat.postEphemeral').length;
    await post(click(`facet1:approve:${design}:1`));
    await expect.poll(() => slack.callsTo('chat.postEphemeral').length).toBe(ephemeralBefore + 1);
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/earlier iteration/);

    // Someone else may not approve.
    await post(click(`facet1:approve:${design}:3`, 'U2'));
    await expect.poll(() => slack.callsTo('chat.postEphemeral').length).toBe(ephemeralBefore + 2);
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args.user).toBe('U2');
    expect((await h.workflow.service.snapshot(design))!.state).toBe('awaiting_approval');

    const approve = await waitForButton(/^Approve$/);
    await post(click(approve.action_id));
    const done = await waitFor(h.workflow, design, inState('completed', 'failed'));
    expect(done.state).toBe('completed');
    expect(done.charged).toBe(5);
    await expect.poll(() => statusOf(lastCard())).toContain('5 credits charged');
    expect(statusOf(lastCard())).toContain('Approved by <@U1>');
    expect(buttons(lastCard()).map((b) => b.text.text)).toContain('Variation');
    // Every card update went to the one message that was posted.
    const ts = (
      await h.test.db
        .selectFrom('designs')
        .select('surface')
        .where('id', '=', design)
        .executeTakeFirstOrThrow()
    ).surface;
    for (const update of slack.callsTo('chat.update'))
      expect(update.args.ts).toBe((ts.slack as { ts: string }).ts);
  });

  async function waitForButton(label: RegExp) {
    let found: { action_id: string } | undefined;
    await expect
      .poll(() => (found = buttons(lastCard()).find((b) => label.test(b.text.text))), { timeout: 10_000 })
      .toBeDefined();
    return found!;
  }

  it('answers 401 to a forged or stale signature and changes nothing', async () => {
    const posts = slack.callsTo('chat.postMessage').length;
    const responses = slack.responses.length;
    const body = command('a forged request');
    expect((await post(body, sign(body, undefined, 'wrong-secret'))).status).toBe(401);
    expect((await post(body, sign(body, Math.floor(Date.now() / 1000) - 600))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.callsTo('chat.postMessage').length).toBe(posts);
    expect(slack.responses.length).toBe(responses);
    const designs = await h.test.db
      .selectFrom('designs')
      .select('id')
      .where('prompt', '=', 'a forged request')
      .execute();
    expect(designs).toHaveLength(0);
  });

  it('explains an empty prompt, help and an unknown button without changing anything', async () => {
    const help = await post(command(''));
    expect((JSON.parse(help.text) as { text: string }).text).toContain('/design <description>');
    const before = slack.callsTo('chat.postEphemeral').length;
    await post(click('facet1:approve:not-a-design:1'));
    await expect.poll(() => slack.callsTo('chat.postEphemeral').length).toBe(before + 1);
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(/not one of ours/);
  });

  it('tells a user without enough credits what it costs, and reserves nothing', async () => {
    for (let i = 0; i < 3; i++)
      await h.ledger.reserve({
        account: {
          workspaceId: (
            await h.test.db
              .selectFrom('workspaces')
              .select('id')
              .where('external_id', '=', team)
              .executeTakeFirstOrThrow()
          ).id,
          userId: 'U9',
        },
        subject: `drain-${i}`,
        amount: 3,
        key: `drain-${i}`,
        expiresAt: new Date(Date.now() + 60_000),
      });
    const before = slack.responses.length;
    await post(command('a lamp', 'U9'));
    await expect.poll(() => slack.responses.length).toBe(before + 1);
    expect(String(slack.responses.at(-1)!.text)).toMatch(/needs 3 credits and you have 1 available/);
  });
});
