import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChatWorkQueueName } from '../../../src/bots/chat/work/bullmq-chat-work-queue.ts';
import { registerDiscordCommands } from '../../../src/bots/discord/discord-bot.ts';
import { loadConfig } from '../../../src/config.ts';
import { startFacet, type FacetHandle } from '../../../src/main.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord.ts';
import { createTestDatabase, rowCount, type TestDatabase } from '../../helpers/test-database.ts';
import { refusingChatWorkQueue } from '../../helpers/refusing-chat-work.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';
import { startDiscordKit, type DiscordKit } from './discord-kit.ts';

/** A Redis database of its own, so this file's queues never meet another file's. */
const redisUrl = 'redis://127.0.0.1:6379/15';

/**
 * `facet start --role web` and `--role worker` with Discord over HTTP interactions: the web process
 * defers what it can at once and hands the work to the chat work queue in Redis; only a worker works on
 * it. The web process's event loop then only receives.
 */
describe('Discord HTTP interactions: the web role defers, a worker role works', () => {
  let test: TestDatabase;
  let fake: FakeDiscord;
  let redis: Redis;
  let chatWork: Queue;
  const facets: FacetHandle[] = [];
  const dataDir = path.join(tmpdir(), `facet-discord-chat-work-${process.pid}`);
  const token = 'discord-chat-work-token.test';

  const start = async (role: 'web' | 'worker') => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: test.url,
      REDIS_URL: redisUrl,
      FACET_DATA_DIR: dataDir,
      PUBLIC_URL: 'https://facet.example.com',
      DISCORD_TOKEN: token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_PUBLIC_KEY: fake.publicKey,
      LOG_LEVEL: 'silent',
    });
    const facet = await startFacet(config, silentLogger, role);
    facets.push(facet);
    return facet;
  };
  const designCount = () => rowCount(test.db, 'designs');

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await redis.flushdb();
    chatWork = new Queue(defaultChatWorkQueueName, { connection: redis });
    test = await createTestDatabase('discord_chat_work');
    fake = await startFakeDiscord({ token });
    await registerDiscordCommands({
      token,
      applicationId: fake.applicationId,
      guildId: fake.guild.id,
      apiUrl: fake.apiUrl,
    });
  });

  afterAll(async () => {
    for (const facet of facets.reverse()) await facet.close();
    await chatWork.close();
    await redis.quit();
    await fake.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers at once and leaves the work queued until a worker takes it: the card, the private answer', async () => {
    const web = await start('web');
    fake.deliverInteractionsTo([`${web.url}/discord/interactions`]);

    const create = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'a desk fan' } });
    const credits = fake.slashCommand('design', { subcommand: 'credits' });
    // A create's deferral is public (its card will replace it); a private command's is ephemeral.
    const first = await create.response();
    expect(first).toMatchObject({ type: 5, accepted: true, via: 'http' });
    expect(first.data?.flags ?? 0).toBe(0);
    expect(await credits.response()).toMatchObject({ type: 5, accepted: true, data: { flags: 64 } });

    // Nothing was worked on in the web process: no design, both waiting in Redis.
    await expect.poll(async () => (await chatWork.getJobCounts('waiting')).waiting).toBe(2);
    expect(await designCount()).toBe(0);
    expect(create.original()?.components ?? []).toEqual([]);

    await start('worker');
    await expect
      .poll(() => JSON.stringify(create.original()?.components ?? []).includes('facet1:approve'), {
        timeout: 15_000,
      })
      .toBe(true);
    await expect.poll(() => credits.original()?.content ?? '', { timeout: 15_000 }).toMatch(/credits/i);
    expect(await designCount()).toBe(1);
    // The work goes on a moment after the card shows (the thread, the card's record): then it is done.
    await expect
      .poll(() => chatWork.getJobCounts('waiting', 'active', 'failed'))
      .toEqual({ waiting: 0, active: 0, failed: 0 });
    expect(fake.problems).toEqual([]);
  });
});

describe('Discord HTTP interactions when the chat work queue cannot take the work', () => {
  let kit: DiscordKit;
  const { queue: away, refused } = refusingChatWorkQueue();

  beforeAll(async () => {
    kit = await startDiscordKit('discord_chat_work_away', { transport: 'http', chatWork: away });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('still answers at once, and the process that received it does the work: the card arrives', async () => {
    const create = kit.fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'a kettle' } });
    expect(await create.response()).toMatchObject({ type: 5, via: 'http', accepted: true });
    await expect
      .poll(() => JSON.stringify(create.original()?.components ?? []).includes('facet1:approve'), {
        timeout: 15_000,
      })
      .toBe(true);
    expect(refused).toEqual(['discord']);
    expect(kit.fake.problems).toEqual([]);
  });
});
