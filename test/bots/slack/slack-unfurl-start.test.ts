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

const publicUrl = 'https://facet.example.com';

/**
 * `facet start` with Slack and an https PUBLIC_URL: the card's own design page link, shared in Slack,
 * unfurls, and the unfurl's front view is an image the design page serves (what Slack will fetch).
 */
describe('Facet started with Slack and PUBLIC_URL: design page links unfurl', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-slack-unfurl-start-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('slack_unfurl_start');
    slack = await startFakeSlack();
    facet = await startFacet(
      loadConfig({
        PORT: '0',
        DATABASE_URL: test.url,
        FACET_DATA_DIR: dataDir,
        PUBLIC_URL: publicUrl,
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

  async function post(body: string, contentType: string) {
    const response = await fetch(`${facet.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...sign(body) },
      body,
    });
    expect(response.status).toBe(200);
  }

  it('unfurls the link the card shows, with a front view the design page serves', async () => {
    await post(
      new URLSearchParams({
        command: '/design',
        text: 'a terrazzo coaster set',
        team_id: 'T1',
        channel_id: 'C1',
        user_id: 'U1',
        trigger_id: 'trigger-unfurl-1',
        response_url: `${slack.url}/response/1`,
      }).toString(),
      'application/x-www-form-urlencoded',
    );
    // The card once its front view is ready: its "Open design page" link is the one people share.
    await expect
      .poll(
        () => slack.callsTo('chat.update').some((c) => JSON.stringify(c.args.blocks).includes('Approve')),
        { timeout: 15_000 },
      )
      .toBe(true);
    const card = JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks);
    const link = /"url":"(https:\/\/facet\.example\.com\/designs\/[^"]+)"/.exec(card)?.[1];
    expect(link).toBeDefined();
    const body = JSON.stringify({
      team_id: 'T1',
      api_app_id: 'A0FACET',
      type: 'event_callback',
      event_id: 'EvUNFURL1',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'link_shared',
        channel: 'C2',
        is_bot_user_member: true,
        user: 'U2',
        message_ts: '1764900000.000200',
        source: 'conversations_history',
        unfurl_id: 'C2.1764900000.000200.0123456789abcdef',
        links: [{ domain: 'facet.example.com', url: link! }],
        event_ts: '1764900000.000200',
      },
    });
    await post(body, 'application/json');
    await expect.poll(() => slack.callsTo('chat.unfurl').length, { timeout: 10_000 }).toBe(1);
    const unfurl = slack.callsTo('chat.unfurl')[0]!;
    expect(unfurl.error).toBeUndefined();
    expect(unfurl.token).toBe('xoxb-started');
    const shown = JSON.stringify(unfurl.args.unfurls);
    expect(shown).toContain('a terrazzo coaster set');
    const image = /"image_url":"([^"]+)"/.exec(shown)?.[1];
    expect(image).toMatch(/^https:\/\/facet\.example\.com\/designs\/[0-9a-f-]{36}\/images\/.+\?k=[\w-]{43}$/);
    // Slack fetches it from PUBLIC_URL; here the same path on Facet's own address.
    const served = await fetch(image!.replace(publicUrl, facet.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
  });
});
