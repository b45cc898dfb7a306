import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import type { ModelCallsTable } from '../../src/storage/schema.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const run = promisify(execFile);
const hour = 3_600_000;
const day = 24 * hour;

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

type Call = Partial<Insertable<ModelCallsTable>> &
  Pick<Insertable<ModelCallsTable>, 'purpose'> & { ago: number };

describe('facet usage', () => {
  let test: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const now = Date.now();

  const usage = async (...args: string[]) => {
    const captured = captureIo();
    const code = await runCli(['usage', ...args], captured.io, env);
    return { code, out: captured.out.join('\n'), err: captured.err.join('\n') };
  };

  beforeAll(async () => {
    test = await createTestDatabase('usage_cli');
    env = { DATABASE_URL: test.url, LOG_LEVEL: 'silent' };
    const acme = (await ensureWorkspace(test.db, 'slack', 'T1', 'Acme, Inc.')).id;
    const guild = (await ensureWorkspace(test.db, 'discord', '42')).id;
    await ensureWorkspace(test.db, 'slack', 'T-quiet');
    const design = async (workspaceId: string, requester: string, calls: Call[]) => {
      const { id } = await test.db
        .insertInto('designs')
        .values({
          workspace_id: workspaceId,
          requester_id: requester,
          prompt: 'a kettle',
          state: 'completed',
          kind: 'design',
          base_price: 3,
          edit_price: 1,
          surface: JSON.stringify({}),
          created_at: new Date(now - Math.max(...calls.map((call) => call.ago)) - 60_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await test.db
        .insertInto('model_calls')
        .values(
          calls.map(({ ago, ...call }) => ({
            workspace_id: workspaceId,
            design_id: id,
            requester_id: requester,
            provider: 'gemini',
            model: 'gemini-2.5-flash-image',
            outcome: 'ok' as const,
            started_at: new Date(now - ago),
            latency_ms: 1000,
            tokens_in: null,
            tokens_out: null,
            images: 0,
            cost_microusd: 0,
            priced_by: 'unpriced' as const,
            ...call,
          })),
        )
        .execute();
    };
    const view = (latency: number): Call => ({
      purpose: 'view',
      ago: hour,
      latency_ms: latency,
      images: 1,
      cost_microusd: 39_000,
      priced_by: 'images',
    });
    await design(acme, 'U1', [
      {
        purpose: 'front',
        ago: 2 * hour,
        latency_ms: 8000,
        tokens_in: 300,
        tokens_out: 1290,
        images: 1,
        cost_microusd: 38_790,
        priced_by: 'tokens',
      },
      {
        purpose: 'features',
        provider: 'openai',
        model: 'gpt-4o-mini-2024-07-18',
        ago: 2 * hour,
        latency_ms: 1500,
        tokens_in: 25_000,
        tokens_out: 200,
        cost_microusd: 3870,
        priced_by: 'tokens',
      },
      view(6000),
      view(7000),
      view(9000),
      view(12_000),
    ]);
    await design(acme, 'U2', [
      { purpose: 'front', outcome: 'transient_error', ago: 3 * day, latency_ms: 30_000 },
      {
        purpose: 'front',
        ago: 3 * day - 60_000,
        latency_ms: 9000,
        images: 1,
        cost_microusd: 39_000,
        priced_by: 'images',
      },
    ]);
    await design(guild, '7', [
      {
        purpose: 'front',
        ago: 10 * day,
        latency_ms: 10_000,
        images: 1,
        cost_microusd: 39_000,
        priced_by: 'images',
      },
      { purpose: 'edit', outcome: 'blocked', ago: 10 * day - 60_000, latency_ms: 4000 },
    ]);
    // Older than the default 30 days.
    await design(acme, 'U1', [
      {
        purpose: 'front',
        ago: 40 * day,
        latency_ms: 8000,
        images: 1,
        cost_microusd: 39_000,
        priced_by: 'images',
      },
    ]);
  });

  afterAll(() => test.drop());

  it('prints a table per workspace for the last 30 days, then latency per purpose', async () => {
    const { code, out } = await usage();
    expect(code).toBe(0);
    const [title, ...rest] = out.split('\n');
    expect(title).toMatch(
      /^Model calls since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(30d\), all workspaces, by workspace\. Costs are estimates\.$/,
    );
    expect(rest.join('\n')).toBe(
      [
        '',
        'workspace              calls  images  tokens in  tokens out  est. cost  failed  p50 ms  p95 ms',
        'slack:T1 (Acme, Inc.)      8       6     25,300       1,490    $0.2377   12.5%   8,500  23,700',
        'discord:42                 2       1          0           0    $0.0390   50.0%   7,000   9,700',
        'total                     10       7     25,300       1,490    $0.2767   20.0%',
        '',
        'Latency by purpose',
        'purpose   calls  p50 ms  p95 ms',
        'front         4   9,500  27,000',
        'edit          1   4,000   4,000',
        'view          4   8,000  11,550',
        'features      1   1,500   1,500',
      ].join('\n'),
    );
  });

  it('writes csv with a header, quoting what needs it', async () => {
    const { code, out } = await usage('--since', '60d', '--format', 'csv');
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'workspace,calls,images,tokens_in,tokens_out,cost_usd,failure_rate,latency_p50_ms,latency_p95_ms',
        '"slack:T1 (Acme, Inc.)",9,7,25300,1490,0.27666,0.1111,8000,22800',
        'discord:42,2,1,0,0,0.039,0.5,7000,9700',
      ].join('\n'),
    );
    const models = await usage('--by', 'model', '--format', 'csv');
    expect(models.out.split('\n')).toEqual([
      'model,calls,images,tokens_in,tokens_out,cost_usd,failure_rate,latency_p50_ms,latency_p95_ms',
      'gemini-2.5-flash-image,9,7,300,1290,0.27279,0.2222,9000,22800',
      'gpt-4o-mini-2024-07-18,1,0,25000,200,0.00387,0,1500,1500',
    ]);
  });

  it('prints one json document through the installed bin, for one workspace by user', async () => {
    const { stdout } = await run(
      process.execPath,
      ['bin/facet.js', 'usage', '--workspace', 'T1', '--by', 'user', '--since', '7d', '--format', 'json'],
      { env: { ...process.env, ...env } },
    );
    const document = JSON.parse(stdout) as Record<string, unknown>;
    expect(Date.now() - Date.parse(document.since as string)).toBeGreaterThanOrEqual(7 * day);
    expect(Date.now() - Date.parse(document.since as string)).toBeLessThan(7 * day + 60_000);
    expect(document).toMatchObject({
      workspace: 'slack:T1 (Acme, Inc.)',
      by: 'user',
      rows: [
        {
          key: 'U1',
          calls: 6,
          images: 5,
          tokensIn: 25_300,
          tokensOut: 1490,
          costUsd: 0.19866,
          failureRate: 0,
          latencyP50Ms: 7500,
          latencyP95Ms: 11_250,
        },
        {
          key: 'U2',
          calls: 2,
          images: 1,
          tokensIn: 0,
          tokensOut: 0,
          costUsd: 0.039,
          failureRate: 0.5,
          latencyP50Ms: 19_500,
          latencyP95Ms: 28_950,
        },
      ],
      latencyByPurpose: [
        { purpose: 'front', calls: 3, latencyP50Ms: 9000, latencyP95Ms: 27_900 },
        { purpose: 'view', calls: 4, latencyP50Ms: 8000, latencyP95Ms: 11_550 },
        { purpose: 'features', calls: 1, latencyP50Ms: 1500, latencyP95Ms: 1500 },
      ],
    });
  });

  it('filters by platform and workspace, by day, and says when nothing was called', async () => {
    const discord = await usage(
      '--platform',
      'discord',
      '--workspace',
      '42',
      '--by',
      'user',
      '--format',
      'csv',
    );
    expect(discord.out.split('\n').slice(1)).toEqual(['7,2,1,0,0,0.039,0.5,7000,9700']);
    const days = await usage('--by', 'day', '--format', 'json');
    const keys = (JSON.parse(days.out) as { rows: { key: string }[] }).rows.map((row) => row.key);
    const utcDay = (ago: number) => new Date(now - ago).toISOString().slice(0, 10);
    expect(keys).toEqual([...new Set([10 * day, 3 * day, 3 * day - 60_000, 2 * hour, hour].map(utcDay))]);
    const quiet = await usage('--workspace', 'T-quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toContain('workspace slack:T-quiet, by workspace');
    expect(quiet.out).toContain('No model calls in that time.');
    expect(quiet.out).not.toContain('Latency by purpose');
    const empty = await usage('--workspace', 'T-quiet', '--format', 'csv');
    expect(empty.out).toBe(
      'workspace,calls,images,tokens_in,tokens_out,cost_usd,failure_rate,latency_p50_ms,latency_p95_ms',
    );
  });

  it('explains a bad call with the usage and exit code 2', async () => {
    const cases: [string[], string][] = [
      [['--since', '30x'], '--since must be a duration such as 30d, 24h or 90m, not "30x"'],
      [['--since', '0d'], '--since must be a duration such as 30d, 24h or 90m, not "0d"'],
      [['--by', 'team'], '--by must be workspace, user, model, purpose, day'],
      [['--format', 'xml'], '--format must be table, csv, json'],
      [['--platform', 'teams', '--workspace', 'T1'], '--platform must be slack, discord, playground'],
      [['--platform', 'discord'], '--platform names the platform of --workspace: give --workspace too'],
      [
        ['--workspace', 'T9'],
        'unknown workspace: Facet has never seen slack workspace "T9" (check --platform and --workspace)',
      ],
      [['--platform', 'discord', '--workspace', 'T1'], 'Facet has never seen discord workspace "T1"'],
      [['--wrokspace', 'T1'], "Unknown option '--wrokspace'"],
    ];
    for (const [args, message] of cases) {
      const result = await usage(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.err).toContain(message);
      expect(result.err).toContain('facet usage [options]');
      expect(result.out).toBe('');
    }
  });

  it('is listed in the help', async () => {
    const help = captureIo();
    expect(await runCli(['help'], help.io, env)).toBe(0);
    expect(help.out[0]).toContain('usage ...              model calls');
    expect(help.out[0]).toContain(
      '--by GROUPING                         what a row adds up: workspace, user',
    );
  });
});
