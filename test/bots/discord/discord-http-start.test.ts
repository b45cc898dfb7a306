import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscordCommands } from '../../../src/bots/discord/discord-bot.ts';
import { loadConfig } from '../../../src/config.ts';
import { startFacet, type FacetHandle } from '../../../src/main.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';

/** `facet start` with DISCORD_PUBLIC_KEY: Discord over HTTP interactions on the web server, no gateway. */
describe('Facet started with Discord over HTTP interactions', () => {
  let test: TestDatabase;
  let fake: FakeDiscord;
  let facet: FacetHandle | undefined;
  const dataDir = path.join(tmpdir(), `facet-discord-http-start-${process.pid}`);
  const token = 'discord-http-start-token.test';

  beforeAll(async () => {
    test = await createTestDatabase('discord_http_start');
    fake = await startFakeDiscord({ token });
    await registerDiscordCommands({
      token,
      applicationId: fake.applicationId,
      guildId: fake.guild.id,
      apiUrl: fake.apiUrl,
    });
  });

  afterAll(async () => {
    await facet?.close();
    await fake.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /discord/interactions, opens no gateway connection, and answers /design create with its card', async () => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: test.url,
      FACET_DATA_DIR: dataDir,
      DISCORD_TOKEN: token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_PUBLIC_KEY: fake.publicKey,
      LOG_LEVEL: 'silent',
    });
    facet = await startFacet(config, silentLogger);
    fake.deliverInteractionsTo([`${facet.url}/discord/interactions`]);

    const ping = await fake.postInteraction(
      JSON.stringify({ id: '1300000000000000009', application_id: fake.applicationId, type: 1 }),
    );
    expect(JSON.parse(ping.body)).toEqual({ type: 1 });
    const forged = await fake.postInteraction('{"type":1}', { signature: '00'.repeat(64) });
    expect(forged.status).toBe(401);

    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'a desk fan' } });
    expect(await command.response()).toMatchObject({ type: 5, via: 'http' });
    await expect
      .poll(
        () =>
          fake
            .messagesIn(fake.channelId)
            .find((m) => JSON.stringify(m.components).includes('facet1:approve')),
        { timeout: 15_000 },
      )
      .toBeDefined();
    expect(fake.connections).toBe(0);
    expect(fake.problems).toEqual([]);
  });
});
