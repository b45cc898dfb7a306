import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configDefaults, configVariables, loadConfig } from '../src/config.ts';
import { formatDuration, parseDuration } from '../src/duration.ts';

describe('config', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: path.resolve('.facet/db') },
      redis: undefined,
      s3: undefined,
      slack: undefined,
      discord: undefined,
      gemini: undefined,
      openai: undefined,
      credits: { starterCredits: 10, holdTtlMs: 24 * 3_600_000 },
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.credits)).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '', GEMINI_API_KEY: '  ' })).toMatchObject({
      port: 3000,
      database: { kind: 'pglite' },
      gemini: undefined,
    });
  });

  it('builds every service from its variables', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://facet.example.com/',
      DATABASE_URL: 'postgres://u:p@db/facet',
      REDIS_URL: 'redis://cache:6379',
      S3_BUCKET: 'images',
      S3_ENDPOINT: 'http://minio:9000',
      S3_FORCE_PATH_STYLE: 'true',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'shh',
      DISCORD_TOKEN: 'dt',
      DISCORD_APPLICATION_ID: '123456789012345678',
      GEMINI_API_KEY: 'g',
      OPENAI_API_KEY: 'o',
      OPENAI_VISION_MODEL: 'gpt-4.1-mini',
      FACET_STARTER_CREDITS: '25',
      FACET_HOLD_TTL: '30m',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://facet.example.com',
      database: { kind: 'postgres', url: 'postgres://u:p@db/facet', preparedStatements: true },
      redis: { url: 'redis://cache:6379', concurrency: 64 },
      s3: { bucket: 'images', endpoint: 'http://minio:9000', region: 'us-east-1', forcePathStyle: true },
      slack: { botToken: 'xoxb-1', signingSecret: 'shh', oauth: undefined },
      discord: { token: 'dt', applicationId: '123456789012345678' },
      gemini: { apiKey: 'g', model: 'gemini-2.5-flash-image' },
      openai: { apiKey: 'o', model: 'gpt-4.1-mini' },
      credits: { starterCredits: 25, holdTtlMs: 1_800_000 },
      logLevel: 'debug',
    });
  });

  it('turns named statements off for poolers that cannot keep them', () => {
    const off = loadConfig({ DATABASE_URL: 'postgres://db/facet', DATABASE_PREPARED_STATEMENTS: 'false' });
    expect(off.database).toEqual({ kind: 'postgres', url: 'postgres://db/facet', preparedStatements: false });
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://db/facet', DATABASE_PREPARED_STATEMENTS: 'maybe' }),
    ).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('lists every problem at once, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        DATABASE_URL: 'mysql://root:hunter2@db',
        FACET_HOLD_TTL: 'soon',
        FACET_STARTER_CREDITS: '-1',
        SLACK_BOT_TOKEN: 'xoxb-secret',
        DISCORD_TOKEN: 'x',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      [
        'DATABASE_URL',
        'DISCORD_APPLICATION_ID',
        'FACET_HOLD_TTL',
        'FACET_STARTER_CREDITS',
        'LOG_LEVEL',
        'PORT',
        'PUBLIC_URL',
        'SLACK_SIGNING_SECRET',
      ].sort(),
    );
    expect((error as Error).message).toContain('PORT: expected a port number (got "abc")');
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('xoxb-secret');
  });

  it('requires the OAuth trio together', () => {
    expect(() => loadConfig({ SLACK_CLIENT_ID: 'id' })).toThrow(
      /SLACK_CLIENT_SECRET: required for Slack OAuth/,
    );
  });

  it('accepts Socket Mode with a bot token only, and never together with OAuth', () => {
    expect(loadConfig({ SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toMatchObject({
      appToken: 'xapp-1',
      botToken: 'xoxb-1',
      oauth: undefined,
    });
    expect(() => loadConfig({ SLACK_APP_TOKEN: 'xapp-1' })).toThrow(
      /SLACK_BOT_TOKEN: required for Socket Mode/,
    );
    expect(() =>
      loadConfig({
        SLACK_APP_TOKEN: 'xapp-1',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_CLIENT_ID: 'id',
        SLACK_CLIENT_SECRET: 'secret',
        SLACK_STATE_SECRET: 'state',
        SLACK_SIGNING_SECRET: 'shh',
      }),
    ).toThrow(/Socket Mode cannot be combined with OAuth/);
  });

  it('keeps the playground (it has no login) off on a host others can reach unless asked for', () => {
    expect(loadConfig({}).playground).toBe(true);
    expect(loadConfig({ FACET_HOST: 'localhost' }).playground).toBe(true);
    expect(loadConfig({ FACET_HOST: '::1' }).playground).toBe(true);
    expect(loadConfig({ FACET_HOST: '0.0.0.0' }).playground).toBe(false);
    expect(loadConfig({ FACET_HOST: '10.1.2.3' }).playground).toBe(false);
    expect(loadConfig({ FACET_HOST: '0.0.0.0', FACET_PLAYGROUND: '1' }).playground).toBe(true);
    expect(loadConfig({ FACET_PLAYGROUND: '0' }).playground).toBe(false);
  });

  it('reads the metrics server, its token and the ceiling on admin grants', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(loadConfig({}).credits.adminGrantsPerDay).toBe(1000);
    expect(loadConfig({ FACET_ADMIN_GRANTS_PER_DAY: '0' }).credits.adminGrantsPerDay).toBe(Infinity);
    const token = 'a-long-random-metrics-token';
    expect(loadConfig({ FACET_METRICS_PORT: '9464', FACET_METRICS_TOKEN: token }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
      token,
    });
    expect(() => loadConfig({ FACET_METRICS_TOKEN: 'short' })).toThrow(
      /FACET_METRICS_TOKEN: expected at least 16/,
    );
    expect(() => loadConfig({ FACET_METRICS_TOKEN: 'short' })).not.toThrow(/short/);
  });

  it('reads FACET_OFFLINE_LATENCY as a duration: the offline renderer waits that long per image', () => {
    expect(loadConfig({}).offline).toEqual({ latencyMs: 0 });
    expect(loadConfig({ FACET_OFFLINE_LATENCY: '3s' }).offline).toEqual({ latencyMs: 3000 });
    expect(loadConfig({ FACET_OFFLINE_LATENCY: '250ms' }).offline.latencyMs).toBe(250);
    expect(loadConfig({ FACET_OFFLINE_LATENCY: '0' }).offline.latencyMs).toBe(0);
    expect(loadConfig({ FACET_OFFLINE_LATENCY: ' ' }).offline.latencyMs).toBe(0);
    expect(() => loadConfig({ FACET_OFFLINE_LATENCY: 'soon' })).toThrow(
      /FACET_OFFLINE_LATENCY: expected a duration/,
    );
    expect(() => loadConfig({ FACET_OFFLINE_LATENCY: '2h' })).toThrow(/FACET_OFFLINE_LATENCY/);
  });

  it('reads the AI budgets in dollars and corrections to the model prices', () => {
    const none = loadConfig({});
    expect(none.ai.budgets).toEqual({ workspaceMonthlyCents: undefined, dailyCents: undefined });
    expect(none.ai.prices['gemini-2.5-flash-image']).toMatchObject({ perImage: 0.039 });
    const set = loadConfig({
      FACET_MONTHLY_BUDGET_USD: '12.50',
      FACET_DAILY_BUDGET_USD: '300',
      FACET_MODEL_PRICES: '{"gemini-2.5-flash-image":{"perImage":0.05},"my-model":{"perCall":0.01}}',
    });
    expect(set.ai.budgets).toEqual({ workspaceMonthlyCents: 1250, dailyCents: 30_000 });
    // A correction changes the fields it names; the rest stay as they were.
    expect(set.ai.prices['gemini-2.5-flash-image']).toEqual({
      inputPerMillionTokens: 0.3,
      outputPerMillionTokens: 30,
      perImage: 0.05,
      perCall: 0,
    });
    expect(set.ai.prices['my-model']).toEqual({
      inputPerMillionTokens: 0,
      outputPerMillionTokens: 0,
      perImage: 0,
      perCall: 0.01,
    });
    expect(() => loadConfig({ FACET_MONTHLY_BUDGET_USD: 'lots' })).toThrow(
      /FACET_MONTHLY_BUDGET_USD: expected an amount in US dollars/,
    );
    expect(() => loadConfig({ FACET_DAILY_BUDGET_USD: '-1' })).toThrow(/FACET_DAILY_BUDGET_USD/);
    expect(() => loadConfig({ FACET_MODEL_PRICES: '{"x":{"perImage":"free"}}' })).toThrow(
      /FACET_MODEL_PRICES: expected JSON/,
    );
    expect(() => loadConfig({ FACET_MODEL_PRICES: 'not json' })).toThrow(/FACET_MODEL_PRICES/);
    expect(() => loadConfig({ FACET_MODEL_PRICES: '{"x":{"perImage":1,"typo":2}}' })).toThrow(
      /FACET_MODEL_PRICES/,
    );
  });

  it('runs Discord over HTTP interactions when the public key is set, and needs the bot token for it', () => {
    const key = 'AB'.repeat(32);
    const discord = { DISCORD_TOKEN: 'dt', DISCORD_APPLICATION_ID: '123456789012345678' };
    expect(loadConfig(discord).discord?.publicKey).toBeUndefined();
    expect(loadConfig({ ...discord, DISCORD_PUBLIC_KEY: key }).discord?.publicKey).toBe(key.toLowerCase());
    expect(() => loadConfig({ ...discord, DISCORD_PUBLIC_KEY: 'not-a-key' })).toThrow(/DISCORD_PUBLIC_KEY/);
    expect(() => loadConfig({ DISCORD_PUBLIC_KEY: key })).toThrow(/DISCORD_TOKEN: required/);
  });

  it('documents every variable it reads in .env.example', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile('.env.example', 'utf8');
    for (const name of Object.keys(configVariables))
      expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    for (const [name, value] of Object.entries(configDefaults)) expect(example).toContain(`${name}=${value}`);
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('0s')).toBeUndefined();
    expect(parseDuration('2 weeks')).toBeUndefined();
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_800_000)).toBe('30m');
  });
});
