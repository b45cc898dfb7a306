import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFormatOf } from '../../src/log.ts';

/*
 * What a newcomer meets running `facet start` by hand (issue 15 items 8 and 9): a .env file in the
 * working directory is read (the real environment wins), the start banner is readable at a terminal
 * (FACET_LOG_FORMAT stands in for a terminal here: a test has no pty), and Ctrl-C stops quietly.
 */

const facet = fileURLToPath(new URL('../../bin/facet.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Started = {
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop: (signal: NodeJS.Signals) => Promise<number | null>;
};

/** `facet start` in `cwd` with only the given environment (no DATABASE_URL: the embedded defaults). */
async function start(cwd: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [facet, 'start'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /Facet is running at (http:\/\/[0-9.:]+)/.exec(out);
      if (match) {
        clearInterval(poll);
        resolve(match[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`exited with ${String(code)}: ${out}${err}`));
    });
  });
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

describe('facet start, run by hand', () => {
  let folder: string;
  const running: Started[] = [];
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'facet-first-run-'));
  });
  afterAll(async () => {
    await Promise.all(running.map((started) => started.stop('SIGKILL')));
    await rm(folder, { recursive: true, force: true });
  });

  it('reads .env from the working directory, and the real environment wins', async () => {
    const cwd = path.join(folder, 'project');
    const port = await freePort();
    await mkdir(cwd);
    await writeFile(
      path.join(cwd, '.env'),
      [
        '# as copied from .env.example',
        `PORT=${port}`,
        `FACET_DATA_DIR=${path.join(folder, 'from-env-file')}`,
        'FACET_LOG_FORMAT=json',
      ].join('\n'),
    );
    const started = await start(cwd, { FACET_DATA_DIR: path.join(folder, 'from-environment') });
    running.push(started);
    expect(started.url).toBe(`http://127.0.0.1:${port}`); // from .env
    expect(started.stdout()).toContain(`local folder ${path.join(folder, 'from-environment')}/images`);
    expect(started.stdout()).not.toContain('from-env-file');
    expect(await started.stop('SIGTERM')).toBe(0);
    running.pop();
  });

  it('prints JSON lines when the logs do not go to a terminal', async () => {
    const started = await start(folder, {
      PORT: '0',
      FACET_DATA_DIR: path.join(folder, 'json'),
      FACET_LOG_FORMAT: 'json',
    });
    running.push(started);
    expect(await started.stop('SIGTERM')).toBe(0);
    running.pop();
    const lines = started.stdout().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { msg: string });
    const banner = entries.find((entry) => entry.msg.startsWith('Facet is running at'));
    expect(banner?.msg).toContain('\n  playground: open');
    expect(banner).toMatchObject({ role: 'all', jobs: 'in-process' });
    expect(started.stdout()).not.toMatch(/^Facet is running/m);
  });

  it('prints a readable banner at a terminal, and Ctrl-C during a design stops quietly, saying what is left', async () => {
    const started = await start(folder, {
      PORT: '0',
      FACET_DATA_DIR: path.join(folder, 'pretty'),
      FACET_LOG_FORMAT: 'pretty',
    });
    running.push(started);
    // The banner as lines of text, not one JSON line with \n inside.
    expect(started.stdout()).toMatch(/^Facet is running at http:\/\/127\.0\.0\.1:\d+$/m);
    expect(started.stdout()).toMatch(
      /^ {2}playground: open http:\/\/127\.0\.0\.1:\d+ in a browser to try Facet$/m,
    );
    expect(started.stdout()).toMatch(/^ {4}jobs: in-process runner \(set REDIS_URL for BullMQ\)$/m);
    expect(started.stdout()).toMatch(/^ {2}\(.*role=all.*readyInMs=\d+\)$/m);
    expect(started.stdout()).not.toContain('{"level"');

    for (const [index, userId] of ['ada', 'ben', 'cyd'].entries()) {
      const response = await fetch(`${started.url}/playground/api/command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: started.url },
        body: JSON.stringify({ userId, text: `/design a red kettle ${index}`, requestId: `sigint-${index}` }),
      });
      expect(response.status).toBe(200);
    }
    expect(await started.stop('SIGINT')).toBe(0);
    running.pop();
    const output = `${started.stdout()}${started.stderr()}`;
    expect(started.stderr()).toBe('');
    expect(output).not.toMatch(/^\s+at /m); // no stack trace, "job queue is closed" or any other
    expect(output).toMatch(/INFO {2}stopping: no new work.*signal=SIGINT/);
    // Each design's next step (its front view, or the expiry of its hold) is left for the next start.
    const left = /Facet stopped; (\d+) jobs? left for the next start/.exec(output);
    expect(Number(left?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('chooses pretty logs by whether stdout is a terminal, unless FACET_LOG_FORMAT says', () => {
    expect(logFormatOf(undefined, true)).toBe('pretty');
    expect(logFormatOf(undefined, false)).toBe('json');
    expect(logFormatOf('auto', true)).toBe('pretty');
    expect(logFormatOf('json', true)).toBe('json');
    expect(logFormatOf('pretty', false)).toBe('pretty');
    expect(logFormatOf('yaml', true)).toBeUndefined();
  });
});
