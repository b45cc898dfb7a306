import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const redisUrl = 'redis://127.0.0.1:6379/8';

/** SIGTERM in the middle of work, twice: Facet stops in bounded time and a restart loses nothing. */
describe('graceful shutdown', () => {
  let test: TestDatabase;
  let gemini: FakeGemini;
  let dataDir: string;
  let child: ChildProcess | undefined;
  let url = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    test = await createTestDatabase('shutdown');
    // Slow enough that a SIGTERM always lands while images are being generated.
    gemini = await startFakeGemini({ latencyMs: 1500 });
    dataDir = await mkdtemp(path.join(tmpdir(), 'facet-shutdown-'));
    env = {
      PORT: '0',
      DATABASE_URL: test.url,
      REDIS_URL: redisUrl,
      FACET_DATA_DIR: dataDir,
      GEMINI_API_KEY: 'test-key',
      GEMINI_BASE_URL: gemini.url,
      FACET_PLAYGROUND: '1',
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await gemini.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    child = spawn(process.execPath, ['bin/facet.js', 'start'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      const output: string[] = [];
      child!.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /"msg":"Facet is running at (http:\/\/[^\s\\"]+)/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      child!.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child!.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${output.join('')}`)));
    });
  }

  async function terminate(): Promise<{ code: number | null; ms: number }> {
    const began = performance.now();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGTERM');
    const code = await exited;
    child = undefined;
    return { code, ms: performance.now() - began };
  }

  const designs = () =>
    test.db.selectFrom('designs').select(['id', 'state', 'requester_id']).orderBy('requester_id').execute();
  const users = ['ada', 'ben', 'cyd'];

  it('stops within the deadline mid-generation, and completes every design after restarts', async () => {
    await start();
    for (const user of users)
      await fetch(`${url}/playground/api/command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          userId: user,
          text: `/design a travel mug for ${user}`,
          requestId: `shutdown-${user}`,
        }),
      });
    await expect.poll(() => gemini.stats().inFlight, { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await terminate();
    expect(first.code).toBe(0);
    expect(first.ms).toBeLessThan(20_000);

    await start();
    await expect
      .poll(async () => (await designs()).map((d) => d.state), { timeout: 60_000 })
      .toEqual(users.map(() => 'awaiting_approval'));
    for (const design of await designs())
      await fetch(`${url}/playground/api/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: design.requester_id, actionId: `facet1:approve:${design.id}:1` }),
      });
    const before = gemini.stats().total;
    await expect.poll(() => gemini.stats().total, { timeout: 20_000 }).toBeGreaterThan(before);
    const second = await terminate();
    expect(second.code).toBe(0);

    await start();
    await expect
      .poll(async () => (await designs()).map((d) => d.state), { timeout: 90_000 })
      .toEqual(users.map(() => 'completed'));
    await terminate();

    // Every view is stored, every design charged its price once, and the ledger adds up.
    const views = await test.db
      .selectFrom('design_views')
      .select(['design_id', 'state', 'image_key'])
      .execute();
    expect(views).toHaveLength(users.length * 5);
    for (const view of views) {
      expect(view.state).toBe('done');
      await access(path.join(dataDir, 'images', view.image_key!));
    }
    const charged = await test.db.selectFrom('designs').select('charged').execute();
    expect(charged.map((d) => d.charged)).toEqual(users.map(() => 3));
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    expect(await runCli(['credits', 'audit'], io, { DATABASE_URL: test.url, LOG_LEVEL: 'silent' })).toBe(0);
    expect(out[0]).toMatch(/^Ledger consistent/);
  });
});
