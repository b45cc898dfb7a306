import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcesses } from '../helpers/child-processes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/** A Redis database of its own, so this file's queue never meets another file's. */
const redisUrl = 'redis://127.0.0.1:6379/5';

type Started = { child: ChildProcess; url: string; output: string[]; exited: Promise<number | null> };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The environment a process was started with (Linux). */
async function environmentOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
}

/** The pids the receiving process reported for its job-worker processes, in order. */
function workerPids(output: string[]): number[] {
  return output
    .join('')
    .split('\n')
    .filter((line) => line.includes('job workers running in their own process'))
    .map((line) => Number(/"pid":(\d+)/.exec(line)?.[1]));
}

/** `facet start` (role all) with Redis and Postgres: the job workers run in a process of their own. */
describe('facet start with Redis: job workers in their own process', () => {
  let test: TestDatabase;
  let dataDir: string;
  const started: Started[] = [];

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    test = await createTestDatabase('worker_process');
    dataDir = await mkdtemp(path.join(tmpdir(), 'facet-worker-process-'));
  });

  afterAll(async () => {
    for (const { child } of started) child.kill('SIGKILL');
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<Started> {
    const child = spawn(process.execPath, ['bin/facet.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        DATABASE_URL: test.url,
        REDIS_URL: redisUrl,
        FACET_DATA_DIR: dataDir,
        FACET_PLAYGROUND: '1',
        FACET_LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /"msg":"Facet is running at (http:\/\/[^\s\\"]+)/.exec(output.join(''));
        if (match) resolve(match[1]!);
      });
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      void exited.then((code) => reject(new Error(`exited with ${String(code)}: ${output.join('')}`)));
    });
    const facet = { child, url, output, exited };
    started.push(facet);
    return facet;
  }

  const post = (url: string, route: 'command' | 'action', body: object) =>
    fetch(`${url}/playground/api/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const stateOf = async (user: string) =>
    (
      await test.db
        .selectFrom('designs')
        .select(['id', 'state'])
        .where('requester_id', '=', user)
        .executeTakeFirst()
    )?.state;

  /** One design from the command to completed: every job step runs in the worker process. */
  async function completeDesign(url: string, user: string): Promise<void> {
    await post(url, 'command', { userId: user, text: `/design a lamp for ${user}`, requestId: `wp-${user}` });
    await expect.poll(() => stateOf(user), { timeout: 30_000 }).toBe('awaiting_approval');
    const design = await test.db
      .selectFrom('designs')
      .select('id')
      .where('requester_id', '=', user)
      .executeTakeFirstOrThrow();
    await post(url, 'action', { userId: user, actionId: `facet1:approve:${design.id}:1` });
    await expect.poll(() => stateOf(user), { timeout: 30_000 }).toBe('completed');
  }

  it('completes designs in the worker process, restarts it when it dies, and stops it on shutdown', async () => {
    const facet = await start();
    const [first] = workerPids(facet.output);
    expect(first).toBeGreaterThan(0);
    expect(first).not.toBe(facet.child.pid);
    expect(alive(first!)).toBe(true);
    // Started with a small number of allocator arenas (sharp's threads fragment glibc's): the
    // environment Facet gave the worker process, not one the test set.
    expect(await environmentOf(first!)).toContain('MALLOC_ARENA_MAX=2');
    expect(await environmentOf(first!)).toContain(
      'MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
    );
    await completeDesign(facet.url, 'ada');
    // Started from the bundle's own entry, without tsx's loader (~50 MB resident in each process that
    // registers it), and its sheets drawn in a process of its own started the same way.
    const commandLine = (await readFile(`/proc/${first!}/cmdline`, 'utf8')).split('\0');
    expect(commandLine.some((arg) => arg.endsWith('/worker-child.mjs'))).toBe(true);
    expect(commandLine.join(' ')).not.toMatch(/tsx/);
    await expect
      .poll(
        async () =>
          (
            await test.db
              .selectFrom('revisions')
              .innerJoin('designs', 'designs.id', 'revisions.design_id')
              .select(['revisions.contact_sheet_key', 'revisions.spec_sheet_key'])
              .where('designs.requester_id', '=', 'ada')
              .execute()
          ).some((r) => r.contact_sheet_key !== null && r.spec_sheet_key !== null),
        { timeout: 30_000 },
      )
      .toBe(true);
    const sheetProcess = (await childProcesses(first!)).find(({ commandLine }) =>
      commandLine.some((arg) => arg.endsWith('/sheet-render-process.mjs')),
    );
    expect(sheetProcess).toBeDefined();
    expect(sheetProcess!.commandLine.join(' ')).not.toMatch(/tsx/);
    // The workers' model calls are counted on the receiving process's /metrics, the one scraped.
    const viewCalls = async () => {
      const text = await (await fetch(`${facet.url}/metrics`)).text();
      const found =
        /^facet_model_calls_total\{provider="offline",model="offline-renderer",purpose="view",outcome="ok"\} (\d+)$/m.exec(
          text,
        );
      return Number(found?.[1] ?? 0);
    };
    await expect.poll(viewCalls, { timeout: 10_000 }).toBe(4);

    // The worker process dies: a new one takes over and designs still complete.
    process.kill(first!, 'SIGKILL');
    await expect.poll(() => workerPids(facet.output).length, { timeout: 30_000 }).toBe(2);
    const second = workerPids(facet.output)[1]!;
    expect(second).not.toBe(first);
    expect(facet.output.join('')).toMatch(/job worker process died; restarting it/);
    await completeDesign(facet.url, 'ben');

    // Shutdown stops the worker process too: no orphan.
    facet.child.kill('SIGTERM');
    expect(await facet.exited).toBe(0);
    expect(alive(second)).toBe(false);
  }, 120_000);

  it('leaves no worker process behind when the receiving process is killed', async () => {
    const facet = await start();
    const [pid] = workerPids(facet.output);
    expect(alive(pid!)).toBe(true);
    facet.child.kill('SIGKILL');
    await facet.exited;
    await expect.poll(() => alive(pid!), { timeout: 20_000 }).toBe(false);
  }, 60_000);
});
