import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, signingSecret } from '../bots/slack/slack-kit.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai-server.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack-api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const secrets = {
  slackBotToken: 'xoxb-2718281828-redaction-bot-token',
  geminiKey: 'AIzaSyRedactionTestKey0123456789',
  openaiKey: 'sk-proj-redaction-test-key-9876543210',
  databasePassword: 'pg-redaction-pass-4242',
  discordSecret: 'discord-never-configured',
};

/**
 * `facet start` as operators run it, logging at trace level, with every kind of secret configured and
 * a model that echoes its API key in an error: no secret value may appear anywhere in the output.
 */
describe('logs of the whole app never contain a secret', () => {
  let test: TestDatabase;
  let slack: FakeSlack;
  let gemini: FakeGemini;
  let openai: FakeOpenAI;
  let dataDir: string;
  let child: ChildProcess;
  const output: string[] = [];
  let url: string;

  beforeAll(async () => {
    test = await createTestDatabase('log_redaction');
    slack = await startFakeSlack();
    gemini = await startFakeGemini({
      defaultOutcome: {
        kind: 'status',
        status: 400,
        reason: 'API_KEY_INVALID',
        message: `API key not valid. Please pass a valid API key: ${secrets.geminiKey}`,
      },
    });
    openai = await startFakeOpenAI();
    dataDir = await mkdtemp(path.join(tmpdir(), 'facet-redaction-'));
    // Trust auth ignores the password, so the URL can carry one the test then looks for.
    const databaseUrl = new URL(test.url);
    databaseUrl.password = secrets.databasePassword;
    child = spawn(process.execPath, ['bin/facet.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        DATABASE_URL: databaseUrl.toString(),
        FACET_DATA_DIR: dataDir,
        PUBLIC_URL: 'https://facet.example.com',
        SLACK_BOT_TOKEN: secrets.slackBotToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        GEMINI_API_KEY: secrets.geminiKey,
        GEMINI_BASE_URL: gemini.url,
        OPENAI_API_KEY: secrets.openaiKey,
        OPENAI_BASE_URL: openai.url,
        LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /"msg":"Facet is running at (http:\/\/[^\s\\"]+)/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${output.join('')}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await Promise.all([slack.close(), gemini.close(), openai.close()]);
    await test.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('scrubs keys echoed by a model, tokens, signing secrets and the database password', async () => {
    const body = new URLSearchParams({
      command: '/design',
      text: 'a titanium fountain pen',
      team_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      trigger_id: 'trigger-redaction-1',
      response_url: `${slack.url}/response/1`,
    }).toString();
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    expect((await post(sign(body))).status).toBe(200);
    expect((await post(sign(body, undefined, 'forged-signing-secret'))).status).toBe(401);
    // The model refuses with the key in its message: the design fails and the failure is logged.
    await expect
      .poll(() => slack.callsTo('chat.update').some((c) => JSON.stringify(c.args).includes('Retry')), {
        timeout: 20_000,
      })
      .toBe(true);
    await expect.poll(() => output.join('').includes(`"designId"`), { timeout: 5_000 }).toBe(true);

    const log = output.join('');
    const lines = log.split('\n').filter((line) => line.trim() !== '');
    // Every line is structured JSON (pino), and the failure was logged with its ids.
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const failure = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find(
        (entry) => typeof entry.designId === 'string' && JSON.stringify(entry).includes('API key not valid'),
      );
    expect(failure, 'the model failure is logged with the design id').toBeDefined();
    expect(JSON.stringify(failure)).toContain('[redacted]');
    for (const [name, value] of Object.entries(secrets)) expect(log.includes(value), name).toBe(false);
    expect(log.includes(signingSecret)).toBe(false);
  });
});
