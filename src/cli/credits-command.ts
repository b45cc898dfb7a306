import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { auditLedger } from '../credits/invariants.ts';
import { CreditLedger } from '../credits/ledger.ts';
import { systemClock } from '../clock.ts';
import { platforms } from '../platform.ts';
import { openDatabase } from '../storage/database.ts';
import { migrate } from '../storage/migrator.ts';
import { ensureWorkspace } from '../storage/workspaces.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const creditsUsage = `facet credits <grant|balance|history|audit> [options]
  --platform ${platforms.join('|')}   the chat platform (default slack)
  --workspace ID                        Slack team id or Discord guild id
  --user ID                             the member's platform user id
  --amount N                            credits to grant (grant only)
  --key KEY                             idempotency key: the same key grants once (grant only)
  --limit N                             entries to show (history only, default 20)
  --json                                print JSON instead of text`;

const accountArgs = z.object({
  platform: z.enum(platforms, { error: `--platform must be ${platforms.join(', ')}` }),
  workspace: z.string({ error: '--workspace is required' }).min(1, '--workspace is required'),
  user: z.string({ error: '--user is required' }).min(1, '--user is required'),
});

const positiveInteger = (flag: string) =>
  z.coerce
    .number<string>({ error: `${flag} must be a positive whole number` })
    .int(`${flag} must be a positive whole number`)
    .positive(`${flag} must be a positive whole number`);

export async function creditsCommand(argv: string[], config: Readonly<Config>, io: CliIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || !['grant', 'balance', 'history', 'audit'].includes(action)) {
    throw new UsageError(`unknown credits action ${action === undefined ? '(none)' : `"${action}"`}`);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      platform: { type: 'string', default: 'slack' },
      workspace: { type: 'string' },
      user: { type: 'string' },
      amount: { type: 'string' },
      key: { type: 'string' },
      limit: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const print = (value: unknown, text: string) => {
    io.out(values.json ? JSON.stringify(value) : text);
  };

  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    if (action === 'audit') {
      const audit = await auditLedger(db);
      print(
        audit,
        audit.violations.length === 0
          ? `Ledger consistent: ${JSON.stringify(audit.totals)}`
          : audit.violations.join('\n'),
      );
      return audit.violations.length === 0 ? 0 : 1;
    }
    const parsed = accountArgs.safeParse(values);
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
    const workspace = await ensureWorkspace(db, parsed.data.platform, parsed.data.workspace);
    const account = { workspaceId: workspace.id, userId: parsed.data.user };
    const ledger = new CreditLedger(db, {
      clock: systemClock,
      starterCredits: config.credits.starterCredits,
    });

    if (action === 'grant') {
      const amount = positiveInteger('--amount').safeParse(values.amount ?? '');
      if (!amount.success) throw new UsageError(amount.error.issues[0]?.message ?? '--amount is invalid');
      const outcome = await ledger.grant({
        account,
        amount: amount.data,
        key: values.key ?? `cli:grant:${randomUUID()}`,
        memo: 'Granted from the command line',
      });
      print(
        outcome,
        `${outcome.replayed ? 'Already granted with this key' : `Granted ${outcome.amount} credits`} to ${parsed.data.user}. ${describe(outcome.balance)}`,
      );
      return 0;
    }
    if (action === 'balance') {
      const balance = await ledger.balance(account);
      print(balance, `${parsed.data.user}: ${describe(balance)}`);
      return 0;
    }
    const limit = positiveInteger('--limit').safeParse(values.limit);
    if (!limit.success) throw new UsageError(limit.error.issues[0]?.message ?? '--limit is invalid');
    const entries = await ledger.history(account, limit.data);
    print(
      entries,
      entries
        .map(
          (e) =>
            `${e.createdAt.toISOString()}  ${e.kind.padEnd(8)} ${String(e.amount).padStart(5)}  balance ${e.balanceAfter}, held ${e.heldAfter}${e.memo ? `  ${e.memo}` : ''}`,
        )
        .join('\n') || 'No entries yet.',
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

function describe(balance: { balance: number; held: number; available: number }): string {
  return `Balance ${balance.balance}, held ${balance.held}, available ${balance.available}.`;
}
