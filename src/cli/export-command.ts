import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { platforms } from '../platform.ts';
import { openDatabase } from '../storage/database.ts';
import { migrate } from '../storage/migrator.ts';
import { auditDesigns } from '../workflow/design-audit.ts';
import { designAuditCsv } from '../workflow/design-audit-csv.ts';
import { namedWorkspace, optionLine as option, sinceArgument } from './cli-arguments.ts';
import { UsageError, type CliIo } from './cli-io.ts';

const formats = ['csv', 'json'] as const;

export const exportUsage = [
  "facet export designs [options]   a workspace's designs: iterations, decisions, credits, model time",
  option(`--platform ${platforms.join('|')}`, 'platform of --workspace (required)'),
  option('--workspace ID', 'Slack team id, Discord guild id or playground id (required)'),
  option('--since DURATION', 'designs created in the last 30d (default), 24h, 90m'),
  option(`--format ${formats.join('|')}`, 'csv (default): one row per iteration; json: one document'),
].join('\n');

const exportArgs = z.object({
  platform: z.enum(platforms, { error: `--platform must be ${platforms.join(', ')}` }),
  workspace: z.string({ error: '--workspace is required' }).min(1, '--workspace is required'),
  since: sinceArgument,
  format: z.enum(formats, { error: `--format must be ${formats.join(', ')}` }),
});

export async function exportCommand(
  argv: string[],
  config: Readonly<Config>,
  io: CliIo,
  clock: Clock = systemClock,
): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'designs') {
    throw new UsageError(`unknown export ${what === undefined ? '(none)' : `"${what}"`}: use export designs`);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      platform: { type: 'string' },
      workspace: { type: 'string' },
      since: { type: 'string', default: '30d' },
      format: { type: 'string', default: 'csv' },
    },
    strict: true,
  });
  const parsed = exportArgs.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const args = parsed.data;
  const since = new Date(clock().getTime() - args.since);

  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const workspace = await namedWorkspace(db, args.platform, args.workspace);
    const designs = await auditDesigns(db, { workspaceId: workspace.id, since });
    io.out(
      args.format === 'csv'
        ? designAuditCsv(designs)
        : JSON.stringify({
            workspace: { platform: workspace.platform, id: workspace.external_id, name: workspace.name },
            since: since.toISOString(),
            designs,
          }),
    );
    return 0;
  } finally {
    await db.destroy();
  }
}
