import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { formatDuration } from '../duration.ts';
import { platforms } from '../platform.ts';
import { openDatabase } from '../storage/database.ts';
import { migrate } from '../storage/migrator.ts';
import {
  latencyByPurpose,
  usageGroupings,
  usageReport,
  type PurposeLatency,
  type UsageGrouping,
  type UsageRow,
} from '../workflow/model-calls/usage-report.ts';
import { namedWorkspace, optionLine as option, sinceArgument } from './cli-arguments.ts';
import { UsageError, type CliIo } from './cli-io.ts';

const formats = ['table', 'csv', 'json'] as const;

export const usageUsage = [
  'facet usage [options]   model calls and their estimated cost (docs/operations.md)',
  option(`--platform ${platforms.join('|')}`, 'platform of --workspace (default slack)'),
  option('--workspace ID', 'one workspace: Slack team id, Discord guild id; all when left out'),
  option('--since DURATION', 'how far back: 30d (default), 24h, 90m'),
  option('--by GROUPING', `what a row adds up: ${usageGroupings.join(', ')} (default workspace)`),
  option(`--format ${formats.join('|')}`, 'table (default); csv: the rows with a header; json: one document'),
].join('\n');

const usageArgs = z
  .object({
    platform: z.enum(platforms, { error: `--platform must be ${platforms.join(', ')}` }).optional(),
    workspace: z.string().min(1, '--workspace needs an id').optional(),
    since: sinceArgument,
    by: z.enum(usageGroupings, { error: `--by must be ${usageGroupings.join(', ')}` }),
    format: z.enum(formats, { error: `--format must be ${formats.join(', ')}` }),
  })
  .refine((args) => args.platform === undefined || args.workspace !== undefined, {
    message: '--platform names the platform of --workspace: give --workspace too',
  });

export async function usageCommand(
  argv: string[],
  config: Readonly<Config>,
  io: CliIo,
  clock: Clock = systemClock,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      platform: { type: 'string' },
      workspace: { type: 'string' },
      since: { type: 'string', default: '30d' },
      by: { type: 'string', default: 'workspace' },
      format: { type: 'string', default: 'table' },
    },
    strict: true,
  });
  const parsed = usageArgs.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const args = parsed.data;
  const since = new Date(clock().getTime() - args.since);

  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    let scope: { id: string; label: string } | undefined;
    if (args.workspace !== undefined) {
      const platform = args.platform ?? 'slack';
      const workspace = await namedWorkspace(db, platform, args.workspace);
      scope = {
        id: workspace.id,
        label: `${platform}:${workspace.external_id}${workspace.name ? ` (${workspace.name})` : ''}`,
      };
    }
    const query = { workspaceId: scope?.id, since };
    const rows = await usageReport(db, { ...query, by: args.by });
    if (args.format === 'csv') {
      io.out(csv(args.by, rows));
      return 0;
    }
    const latency = await latencyByPurpose(db, query);
    if (args.format === 'json') {
      io.out(
        JSON.stringify({
          since: since.toISOString(),
          workspace: scope?.label ?? null,
          by: args.by,
          rows,
          latencyByPurpose: latency,
        }),
      );
      return 0;
    }
    io.out(
      `Model calls since ${since.toISOString().slice(0, 16).replace('T', ' ')} UTC (${formatDuration(args.since)}), ` +
        `${scope ? `workspace ${scope.label}` : 'all workspaces'}, by ${args.by}. Costs are estimates.`,
    );
    io.out(rows.length === 0 ? '\nNo model calls in that time.' : `\n${usageTable(args.by, rows)}`);
    if (latency.length > 0) io.out(`\nLatency by purpose\n${latencyTable(latency)}`);
    return 0;
  } finally {
    await db.destroy();
  }
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Cents are enough from a dollar up; below, a single call's fraction of a cent still shows. */
function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

function usageTable(by: UsageGrouping, rows: readonly UsageRow[]): string {
  const header = [
    by,
    'calls',
    'images',
    'tokens in',
    'tokens out',
    'est. cost',
    'failed',
    'p50 ms',
    'p95 ms',
  ];
  const cells = rows.map((row) => [
    row.key,
    integer.format(row.calls),
    integer.format(row.images),
    integer.format(row.tokensIn),
    integer.format(row.tokensOut),
    formatUsd(row.costUsd),
    `${(row.failureRate * 100).toFixed(1)}%`,
    integer.format(row.latencyP50Ms),
    integer.format(row.latencyP95Ms),
  ]);
  if (rows.length > 1) {
    const calls = rows.reduce((sum, row) => sum + row.calls, 0);
    const failures = rows.reduce((sum, row) => sum + Math.round(row.failureRate * row.calls), 0);
    const total = (pick: (row: UsageRow) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
    // Percentiles do not add up across rows: the total leaves them out.
    cells.push([
      'total',
      integer.format(calls),
      integer.format(total((row) => row.images)),
      integer.format(total((row) => row.tokensIn)),
      integer.format(total((row) => row.tokensOut)),
      formatUsd(Math.round(total((row) => row.costUsd) * 1_000_000) / 1_000_000),
      `${((failures / calls) * 100).toFixed(1)}%`,
      '',
      '',
    ]);
  }
  return aligned(header, cells);
}

function latencyTable(rows: readonly PurposeLatency[]): string {
  return aligned(
    ['purpose', 'calls', 'p50 ms', 'p95 ms'],
    rows.map((row) => [
      row.purpose,
      integer.format(row.calls),
      integer.format(row.latencyP50Ms),
      integer.format(row.latencyP95Ms),
    ]),
  );
}

/** The first column to the left, figures to the right, two spaces between. */
function aligned(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n');
}

function csv(by: UsageGrouping, rows: readonly UsageRow[]): string {
  const header = [
    by,
    'calls',
    'images',
    'tokens_in',
    'tokens_out',
    'cost_usd',
    'failure_rate',
    'latency_p50_ms',
    'latency_p95_ms',
  ];
  const lines = rows.map((row) =>
    [
      field(row.key),
      row.calls,
      row.images,
      row.tokensIn,
      row.tokensOut,
      row.costUsd,
      Number(row.failureRate.toFixed(4)),
      row.latencyP50Ms,
      row.latencyP95Ms,
    ].join(','),
  );
  return [header.join(','), ...lines].join('\n');
}

/** RFC 4180: workspace names may hold commas and quotes. */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
