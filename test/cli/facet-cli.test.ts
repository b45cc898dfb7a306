import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const run = promisify(execFile);

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('facet command', () => {
  let test: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    test = await createTestDatabase('cli');
    env = { DATABASE_URL: test.url, LOG_LEVEL: 'silent', FACET_STARTER_CREDITS: '10' };
  });
  afterAll(() => test.drop());

  it('grants, shows the balance and the history through the installed bin', async () => {
    const args = ['--platform', 'discord', '--workspace', '42', '--user', '7'];
    const granted = await run(
      process.execPath,
      ['bin/facet.js', 'credits', 'grant', ...args, '--amount', '5', '--key', 'promo-1'],
      {
        env: { ...process.env, ...env },
      },
    );
    expect(granted.stdout).toContain('Granted 5 credits to 7. Balance 15, held 0, available 15.');
    const again = await run(
      process.execPath,
      ['bin/facet.js', 'credits', 'grant', ...args, '--amount', '5', '--key', 'promo-1', '--json'],
      {
        env: { ...process.env, ...env },
      },
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      kind: 'granted',
      replayed: true,
      balance: { balance: 15 },
    });

    const balance = captureIo();
    expect(await runCli(['credits', 'balance', ...args, '--json'], balance.io, env)).toBe(0);
    expect(JSON.parse(balance.out[0]!)).toEqual({ balance: 15, held: 0, available: 15 });
    const history = captureIo();
    expect(await runCli(['credits', 'history', ...args], history.io, env)).toBe(0);
    expect(history.out[0]).toMatch(
      /grant\s+5\s+balance 15, held 0 {2}Granted from the command line\n.*grant\s+10\s+balance 10, held 0 {2}Starter credits/,
    );
    const audit = captureIo();
    expect(await runCli(['credits', 'audit'], audit.io, env)).toBe(0);
    expect(audit.out[0]).toMatch(/^Ledger consistent/);
  });

  it('explains a bad call with the usage and exit code 2, changing nothing', async () => {
    const missing = captureIo();
    expect(await runCli(['credits', 'grant', '--workspace', 'T1', '--user', 'U1'], missing.io, env)).toBe(2);
    expect(missing.err[0]).toContain('--amount must be a positive whole number');
    const negative = captureIo();
    expect(
      await runCli(
        ['credits', 'grant', '--workspace', 'T1', '--user', 'U1', '--amount', '-3'],
        negative.io,
        env,
      ),
    ).toBe(2);
    const unknown = captureIo();
    expect(await runCli(['credits', 'steal'], unknown.io, env)).toBe(2);
    expect(unknown.err[0]).toContain('unknown credits action "steal"');
    const flag = captureIo();
    expect(await runCli(['credits', 'balance', '--wrokspace', 'T1'], flag.io, env)).toBe(2);
    const balance = captureIo();
    await runCli(['credits', 'balance', '--workspace', 'T1', '--user', 'U1', '--json'], balance.io, env);
    expect(JSON.parse(balance.out[0]!)).toEqual({ balance: 10, held: 0, available: 10 });
  });

  it('refuses to start with a bad configuration, naming every problem', async () => {
    const result = await run(process.execPath, ['bin/facet.js', 'start'], {
      env: { ...process.env, PORT: 'http', LOG_LEVEL: 'chatty', DATABASE_URL: test.url },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain('the configuration has 2 problem(s)');
    expect((result as { stderr: string }).stderr).toContain('PORT: expected a port number');
    expect((result as { stderr: string }).stderr).toContain('LOG_LEVEL: expected fatal, error');
  });

  it('migrates idempotently', async () => {
    const first = captureIo();
    expect(await runCli(['migrate'], first.io, env)).toBe(0);
    const shipped = (await readdir('migrations')).filter((file) => file.endsWith('.sql')).length;
    expect(first.out[0]).toBe(`Database up to date (${shipped} migrations applied before).`);
  });

  it('starts, answers health and readiness, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/facet.js', 'start'], {
      env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`exited early: ${output}`)));
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
