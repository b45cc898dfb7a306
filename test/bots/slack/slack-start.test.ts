import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { startFacet, type FacetHandle } from '../../../src/main.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack-api.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';
import { sign, signingSecret } from './slack-kit.ts';

/** `facet start` with Slack variables set: the Slack app is served on the same port as /healthz. */
describe('Facet started with Slack configured', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-slack-start-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('slack_start');
    slack = await startFakeSlack();
    facet = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        PUBLIC_URL: 'https://facet.example.com',
        SLACK_BOT_TOKEN: 'xoxb-started',
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        LOG_LEVEL: 'silent',
      }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await slack.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers signed commands at /slack/events and posts the card with the bot token', async () => {
    const body = new URLSearchParams({
      command: '/design',
      text: 'a minimalist desk clock',
      team_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      trigger_id: 'trigger-start-1',
      response_url: `${slack.url}/response/1`,
    }).toString();
    const response = await fetch(`${facet.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
      body,
    });
    expect(response.status).toBe(200);
    await expect
      .poll(
        () => slack.callsTo('chat.update').some((c) => JSON.stringify(c.args.blocks).includes('Approve')),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    expect(slack.callsTo('chat.postMessage')[0]!.token).toBe('xoxb-started');
    // The offline renderer's images reach Slack by PUBLIC_URL, never a loopback address.
    expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      'https://facet.example.com/images/',
    );

    // The card links to its design page at PUBLIC_URL; Slack's click on that link is only acknowledged.
    const blocks = JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks);
    expect(blocks).toMatch(/"url":"https:\/\/facet\.example\.com\/designs\/[0-9a-f-]{36}\?k=[\w-]+"/);
    const click = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: 'U1' },
        channel: { id: 'C1' },
        trigger_id: 'trigger-link-1',
        actions: [{ type: 'button', action_id: 'facet_link_open_design_page', block_id: 'facet_links' }],
      }),
    }).toString();
    const ephemerals = slack.callsTo('chat.postEphemeral').length;
    const clicked = await fetch(`${facet.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(click) },
      body: click,
    });
    expect(clicked.status).toBe(200);
    expect(slack.callsTo('chat.postEphemeral').length).toBe(ephemerals);

    const forged = await fetch(`${facet.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...sign(body, undefined, 'not-the-secret'),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect((await fetch(`${facet.url}/slack/install`)).status).toBe(404);
    expect((await fetch(`${facet.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${facet.url}/metrics`)).text();
    // Four requests reached /slack/events (a command, a link click, a forged command) and one /slack/install.
    expect(Number(/^facet_ack_seconds_count\{surface="slack"\} (\d+)$/m.exec(metrics)?.[1])).toBe(4);
  });
});
