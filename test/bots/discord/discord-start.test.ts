import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/facet.ts';
import { loadConfig } from '../../../src/config.ts';
import { startFacet, type FacetHandle } from '../../../src/main.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/fake-discord.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { silentLogger } from '../../workflow/workflow-harness.ts';

/** `facet discord register` and `facet start` with Discord configured, against the fake Discord. */
describe('Facet started with Discord configured', () => {
  let test: TestDatabase;
  let fake: FakeDiscord;
  let facet: FacetHandle | undefined;
  let env: Record<string, string>;
  const dataDir = path.join(tmpdir(), `facet-discord-start-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('discord_start');
    fake = await startFakeDiscord({ token: 'discord-start-token.test' });
    env = {
      PORT: '0',
      DATABASE_URL: test.url,
      FACET_DATA_DIR: dataDir,
      DISCORD_TOKEN: 'discord-start-token.test',
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await facet?.close();
    await fake.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('registers /design in a guild and globally, saying which is instant', async () => {
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    expect(await runCli(['discord', 'register', '--guild', fake.guild.id], io, env)).toBe(0);
    expect(out.at(-1)).toMatch(/in server \d+: \/design is available there now/);
    expect(fake.commands(fake.guild.id).map((c) => (c as { name: string }).name)).toEqual(['design']);
    expect(await runCli(['discord', 'register'], io, env)).toBe(0);
    expect(out.at(-1)).toMatch(/global command\(s\).*can take a few minutes/);
    expect(
      await runCli(['discord', 'register'], io, { ...env, DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '' }),
    ).toBe(2);
  });

  it('logs the bot in at start and answers /design create with a deferral, then the card', async () => {
    facet = await startFacet(loadConfig(env), silentLogger);
    await fake.waitForSession();
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'a desk fan' } });
    expect((await command.response()).type).toBe(5);
    await expect
      .poll(
        () =>
          fake
            .messagesIn(fake.channelId)
            .find((m) => JSON.stringify(m.components).includes('facet1:approve')),
        {
          timeout: 15_000,
        },
      )
      .toBeDefined();
    expect(fake.problems).toEqual([]);
  });
});
