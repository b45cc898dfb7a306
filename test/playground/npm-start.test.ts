import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

type View = { id: string; card: { tone: string; prompt: string }; imageUrl: string | null };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `npm start` as a newcomer runs it: nothing configured but a data folder (PGlite, offline models, local images). */
describe('npm start on an empty data folder', () => {
  let dataDir: string;
  let cacheDir: string;
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    killGroup('SIGKILL');
    // A killed process's last writes may land while the folder is being removed (ENOTEMPTY): retried.
    const removal = { recursive: true, force: true, maxRetries: 10, retryDelay: 200 };
    if (dataDir) await rm(dataDir, removal);
    if (cacheDir) await rm(cacheDir, removal);
  });

  async function start(port: number): Promise<string> {
    // Only what a fresh machine has: no DATABASE_URL, REDIS_URL, keys or platform tokens, nothing cached.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XDG_CACHE_HOME: cacheDir,
      FACET_DATA_DIR: dataDir,
      PORT: String(port),
    };
    // Its own process group: npm cannot pass SIGKILL on, so the group is signalled (killGroup).
    child = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    const banners = output.split('Facet is running at').length;
    await expect
      .poll(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(200);
    // /healthz answers as soon as the server listens; the banner follows once every part is composed.
    await expect
      .poll(() => output.split('Facet is running at').length, { timeout: 10_000 })
      .toBe(banners + 1);
    return url;
  }

  async function stop(): Promise<void> {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    killGroup('SIGTERM');
    await exited;
    child = undefined;
  }

  /** npm and the `node bin/facet.js` it runs, together. */
  function killGroup(signal: NodeJS.Signals): void {
    if (child?.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  it('becomes ready, says what runs, serves the playground, and keeps a design across a restart', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'facet-npm-start-'));
    cacheDir = await mkdtemp(path.join(tmpdir(), 'facet-npm-start-cache-'));
    const port = await freePort();
    let url = await start(port);
    expect(output).toContain(`Facet is running at ${url}`);
    expect(output).toContain('playground: open');
    expect(output).toContain('embedded PGlite');
    expect(await (await fetch(`${url}/`)).text()).toContain('Facet playground');

    const started = await fetch(`${url}/playground/api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'ben', text: '/design a brass desk lamp', requestId: 'restart-1' }),
    });
    expect(await started.json()).toEqual({});
    let design: View | undefined;
    await expect
      .poll(
        async () => {
          const views = (await (await fetch(`${url}/playground/api/designs`)).json()) as View[];
          design = views.find((v) => v.card.prompt === 'a brass desk lamp');
          return design?.card.tone;
        },
        { timeout: 30_000 },
      )
      .toBe('waiting');

    await stop();
    url = await start(port);
    const views = (await (await fetch(`${url}/playground/api/designs`)).json()) as View[];
    const again = views.find((v) => v.id === design!.id);
    expect(again?.card.tone).toBe('waiting');
    const image = await fetch(new URL(again!.imageUrl!, url));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const users = (await (await fetch(`${url}/playground/api/users`)).json()) as {
      id: string;
      available: number;
      held: number;
    }[];
    expect(users.find((u) => u.id === 'ben')).toMatchObject({ available: 7, held: 3 });
    await stop();
  });
});
