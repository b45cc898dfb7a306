import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack-api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { sign, signingSecret } from '../bots/slack/slack-kit.ts';

/** A Redis database of its own, so this file's queue never meets another file's. */
const redisUrl = 'redis://127.0.0.1:6379/7';

type Facet = { role: string; child: ChildProcess; output: string[]; url: Promise<string> };

/** Two web and two worker processes on one Postgres and one Redis, as a scaled-out deployment runs. */
describe('facet start --role web|worker', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  let dataDir: string;
  const processes: Facet[] = [];

  function start(role: 'web' | 'worker'): Facet {
    const child = spawn(process.execPath, ['bin/facet.js', 'start', '--role', role], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        DATABASE_URL: test.url,
        REDIS_URL: redisUrl,
        FACET_DATA_DIR: dataDir,
        PUBLIC_URL: 'https://facet.example.com',
        SLACK_BOT_TOKEN: 'xoxb-roles',
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const url = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          output.push(line);
          const match = /"msg":"Facet is running at (http:\/\/[^\s\\"]+)/.exec(line);
          if (match) resolve(match[1]!);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code) =>
        reject(new Error(`${role} exited with ${String(code)}: ${output.join('\n')}`)),
      );
    });
    const facet = { role, child, output, url };
    processes.push(facet);
    return facet;
  }

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    test = await createTestDatabase('roles');
    slack = await startFakeSlack();
    dataDir = await mkdtemp(path.join(tmpdir(), 'facet-roles-'));
  });

  afterAll(async () => {
    await Promise.all(
      processes.map(async ({ child }) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    await slack.close();
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a role without shared Postgres and Redis', async () => {
    const child = spawn(process.execPath, ['bin/facet.js', 'start', '--role', 'worker'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FACET_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/--role worker .* needs DATABASE_URL .* and REDIS_URL/);
  });

  it('completes designs whose steps are spread over every process', async () => {
    const webs = [start('web'), start('web')];
    const workers = [start('worker'), start('worker')];
    const urls = await Promise.all(webs.map((web) => web.url));
    await Promise.all(workers.map((worker) => worker.url));

    const send = async (url: string, body: string) => {
      const response = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) },
        body,
      });
      expect(response.status).toBe(200);
    };
    const users = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
    await Promise.all(
      users.map((user, i) =>
        send(
          urls[i % 2]!,
          new URLSearchParams({
            command: '/design',
            text: `design number ${i}`,
            team_id: 'T1',
            channel_id: 'C1',
            user_id: user,
            trigger_id: `roles-${i}`,
            response_url: `${slack.url}/response/${i}`,
          }).toString(),
        ),
      ),
    );
    const designs = async () =>
      test.db.selectFrom('designs').select(['id', 'state', 'requester_id']).orderBy('requester_id').execute();
    await expect
      .poll(async () => (await designs()).map((d) => d.state), { timeout: 60_000 })
      .toEqual(users.map(() => 'awaiting_approval'));
    // Each Approve goes to the other web process than the one that took the command.
    for (const [i, design] of (await designs()).entries()) {
      const payload = {
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: design.requester_id },
        channel: { id: 'C1' },
        trigger_id: `approve-${i}`,
        actions: [{ type: 'button', action_id: `facet1:approve:${design.id}:1`, block_id: 'a', value: 'a' }],
      };
      await send(urls[(i + 1) % 2]!, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    }
    await expect
      .poll(async () => (await designs()).map((d) => d.state), { timeout: 60_000 })
      .toEqual(users.map(() => 'completed'));
    for (const worker of workers)
      expect(worker.output.filter((l) => l.includes('"msg":"job done"')).length).toBeGreaterThan(0);
    for (const web of webs) expect(web.output.some((l) => l.includes('"msg":"job done"'))).toBe(false);
    // Cards were updated by whichever process changed the design, all on the one message per design.
    const posted = slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(posted).toHaveLength(users.length);
    await expect
      .poll(
        () =>
          slack
            .callsTo('chat.update')
            .filter((c) => JSON.stringify(c.args.blocks).includes('credits charged')).length,
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThanOrEqual(users.length);
    // Each completed round's sheets, drawn on the workers' sheet thread (its sources loaded through tsx
    // from the bundled start).
    await expect
      .poll(
        async () =>
          (
            await test.db.selectFrom('revisions').select(['contact_sheet_key', 'spec_sheet_key']).execute()
          ).filter((r) => r.contact_sheet_key !== null && r.spec_sheet_key !== null).length,
        { timeout: 60_000 },
      )
      .toBe(users.length);
  });
});
