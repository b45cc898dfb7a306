import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startFacet, type FacetHandle } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { silentLogger } from '../workflow/workflow-harness.ts';

/** Issue 14 item 8 on the playground: subcommand words, `create` and the length limit. */
describe('playground /design: subcommand words, `create` and the length limit', () => {
  let test: TestDatabase;
  let facet: FacetHandle;
  const dataDir = path.join(tmpdir(), `facet-playground-words-${process.pid}`);

  beforeAll(async () => {
    test = await createTestDatabase('playground_command_words');
    facet = await startFacet(
      loadConfig({ PORT: '0', DATABASE_URL: test.url, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      silentLogger,
    );
  });

  afterAll(async () => {
    await facet.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  let requests = 0;
  const command = async (userId: string, text: string) => {
    requests += 1;
    const response = await fetch(`${facet.url}/playground/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, text, requestId: `words-${requests}` }),
    });
    return { status: response.status, body: (await response.json()) as { reply?: string } };
  };
  const designsOf = (userId: string) =>
    test.db.selectFrom('designs').select('prompt').where('requester_id', '=', userId).execute();
  const userOf = async (userId: string) => {
    const users = (await (await fetch(`${facet.url}/playground/api/users`)).json()) as {
      id: string;
      balance: number;
      held: number;
    }[];
    return users.find((user) => user.id === userId);
  };

  it('answers `credits please` and `helpme` with the usage, starting and charging nothing', async () => {
    const before = await userOf('ben');
    expect(await command('ben', '/design credits please')).toEqual({
      status: 200,
      body: {
        reply: expect.stringMatching(
          /^Nothing was started or charged: `\/design credits` shows your credits and takes nothing after it/,
        ) as unknown,
      },
    });
    expect((await command('ben', '/design helpme')).body.reply).toMatch(
      /`\/design help` shows how Facet works/,
    );
    expect(await designsOf('ben')).toEqual([]);
    expect(await userOf('ben')).toEqual(before);
  });

  it('starts a design from `/design create <prompt>`, whatever the prompt begins with', async () => {
    expect(await command('cyd', '/design create help me choose a lamp')).toEqual({ status: 200, body: {} });
    await expect
      .poll(() => designsOf('cyd'), { timeout: 10_000 })
      .toEqual([{ prompt: 'help me choose a lamp' }]);
  });

  it('answers a 10,001-character prompt with the length limit, not "not understood"', async () => {
    expect(await command('ben', `/design ${'x'.repeat(10_001)}`)).toEqual({
      status: 200,
      body: { reply: 'That description is too long: keep it to 2000 characters or fewer.' },
    });
    // Any text the body limit (32 KB) lets through gets the same answer.
    expect((await command('ben', `/design ${'x'.repeat(30_000)}`)).body.reply).toMatch(/too long/);
    expect(await designsOf('ben')).toEqual([]);
  });
});
