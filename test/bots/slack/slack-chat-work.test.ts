import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChatWorkQueueName } from '../../../src/bots/chat/work/bullmq-chat-work-queue.ts';
import { loadConfig } from '../../../src/config.ts';
import { startFacet, type FacetHandle } from '../../../src/main.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/fake-slack-api.ts';
import { createTestDatabase, rowCount, type TestDatabase } from '../../helpers/test-database.ts';
import { refusingChatWorkQueue } from '../../helpers/refusing-chat-work.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';
import { sign, signingSecret, startSlackKit, type SlackKit } from './slack-kit.ts';

/** A Redis database of its own, so this file's queues never meet another file's. */
const redisUrl = 'redis://127.0.0.1:6379/13';

const hasCard = (slack: FakeSlack) =>
  slack
    .callsTo('chat.update')
    .some((call) => !call.error && JSON.stringify(call.args.blocks ?? []).includes('facet1:approve'));

/**
 * `facet start --role web` and `--role worker` with Slack over HTTP: the web process acknowledges a
 * create with nothing and hands its work to the chat work queue in Redis; only a worker works on it.
 * Everything else is still answered by the web process, privately, in the acknowledgement.
 */
describe('Slack over HTTP: the web role acknowledges creates, a worker role works on them', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  let redis: Redis;
  let chatWork: Queue;
  const facets: FacetHandle[] = [];
  const dataDir = path.join(tmpdir(), `facet-slack-chat-work-${process.pid}`);
  let triggers = 0;

  const start = async (role: 'web' | 'worker') => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: test.url,
      REDIS_URL: redisUrl,
      FACET_DATA_DIR: dataDir,
      PUBLIC_URL: 'https://facet.example.com',
      SLACK_BOT_TOKEN: 'xoxb-chat-work',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      // One design's hold: a second create finds no credits.
      FACET_STARTER_CREDITS: '3',
      LOG_LEVEL: 'silent',
    });
    const facet = await startFacet(config, silentLogger, role);
    facets.push(facet);
    return facet;
  };
  const command = async (url: string, text: string) => {
    triggers += 1;
    const body = new URLSearchParams({
      command: '/design',
      text,
      team_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      trigger_id: `trigger-chat-work-${triggers}`,
      response_url: `${slack.url}/response/${triggers}`,
    }).toString();
    const response = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const designCount = () => rowCount(test.db, 'designs');

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await redis.flushdb();
    chatWork = new Queue(defaultChatWorkQueueName, { connection: redis });
    test = await createTestDatabase('slack_chat_work');
    slack = await startFakeSlack();
  });

  afterAll(async () => {
    for (const facet of facets.reverse()) await facet.close();
    await chatWork.close();
    await redis.quit();
    await slack.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('acknowledges at once and leaves creates queued until a worker takes them: the card, the private refusal', async () => {
    const web = await start('web');

    // Two creates: acknowledged with nothing (the card will be the answer), worked on nowhere yet.
    expect(await command(web.url, 'a desk fan')).toEqual({ status: 200, text: '' });
    expect(await command(web.url, 'a second desk fan')).toEqual({ status: 200, text: '' });
    await expect.poll(async () => (await chatWork.getJobCounts('waiting')).waiting).toBe(2);
    expect(await designCount()).toBe(0);
    // A forged create is refused before anything is queued.
    const forged = new URLSearchParams({
      command: '/design',
      text: 'a forged fan',
      team_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      trigger_id: 'trigger-forged',
      response_url: `${slack.url}/response/forged`,
    }).toString();
    const refused = await fetch(`${web.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...sign(forged, Math.floor(Date.now() / 1000), 'not-the-signing-secret'),
      },
      body: forged,
    });
    expect(refused.status).toBe(401);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
    // Anything else is worked on by the web process, as before: answered privately.
    expect(await command(web.url, 'credits')).toEqual({ status: 200, text: '' });
    await expect.poll(() => JSON.stringify(slack.responses)).toMatch(/3 credits/);
    expect((await chatWork.getJobCounts('waiting')).waiting).toBe(2);

    await start('worker');
    await expect.poll(() => hasCard(slack), { timeout: 15_000 }).toBe(true);
    expect(slack.callsTo('chat.postMessage')[0]!.token).toBe('xoxb-chat-work');
    // The second found no credits left: told privately through its response_url, nothing created.
    await expect
      .poll(() => JSON.stringify(slack.responses), { timeout: 15_000 })
      .toMatch(/This needs 3 credits and you have 0 available. Nothing was reserved/);
    expect(slack.responses.at(-1)).toMatchObject({ response_type: 'ephemeral' });
    expect(await designCount()).toBe(1);
    await expect
      .poll(() => chatWork.getJobCounts('waiting', 'active', 'failed'))
      .toEqual({ waiting: 0, active: 0, failed: 0 });
  });
});

describe('Slack creates when the chat work queue cannot take the work', () => {
  let kit: SlackKit;
  const { queue: away, refused } = refusingChatWorkQueue();

  beforeAll(async () => {
    kit = await startSlackKit('slack_chat_work_away', { publicImages: true, chatWork: away });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('still acknowledges at once, and the process that received it does the work: the card arrives', async () => {
    expect(await kit.post(kit.command('a kettle'))).toEqual({ status: 200, text: '' });
    await expect.poll(() => hasCard(kit.slack), { timeout: 15_000 }).toBe(true);
    expect(refused).toEqual(['slack']);
  });
});

describe('Slack creates from a workspace whose installation is gone', () => {
  let kit: SlackKit;
  const { queue: away } = refusingChatWorkQueue();

  beforeAll(async () => {
    // OAuth installs and no installation for the team: Slack signed the command, but Facet holds no token.
    kit = await startSlackKit('slack_chat_work_uninstalled', {
      publicImages: true,
      oauth: true,
      chatWork: away,
    });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('acknowledges, then tells the person privately that it failed, with a reference, and creates nothing', async () => {
    expect(await kit.post(kit.command('a toaster'))).toEqual({ status: 200, text: '' });
    await expect
      .poll(() => JSON.stringify(kit.slack.responses), { timeout: 10_000 })
      .toMatch(/Something went wrong on our side \(reference [0-9a-f]{8}\)/);
    expect(kit.slack.responses.at(-1)).toMatchObject({ response_type: 'ephemeral' });
    expect(kit.slack.callsTo('chat.postMessage')).toEqual([]);
    expect(await rowCount(kit.h.test.db, 'designs')).toBe(0);
  });
});
