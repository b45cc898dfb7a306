import { auditLedger } from '../../../src/credits/invariants.ts';
import { openDatabase } from '../../../src/storage/database.ts';
import type { PlaygroundInstance, SlackInstance } from '../instances.ts';
import { outcome, type Attack } from '../report.ts';

function describe(violations: string[], totals: { granted: number; captured: number; held: number }): string {
  return violations.length === 0
    ? `clean (granted ${totals.granted}, captured ${totals.captured}, held ${totals.held})`
    : violations.join('; ').slice(0, 300);
}

/**
 * After everything: each instance's ledger still balances (`facet credits audit`). The playground's embedded
 * database is read after its instance has closed (one process holds it at a time).
 */
export function ledgerAuditAttacks(slack: SlackInstance, playground: PlaygroundInstance): Attack[] {
  return [
    {
      name: 'L ledger audit of the Slack instance (Postgres) after the attacks',
      expected: 'no violation',
      run: async () => {
        const audit = await auditLedger(slack.db);
        return outcome(audit.violations.length === 0, describe(audit.violations, audit.totals));
      },
    },
    {
      name: 'L ledger audit of the playground (embedded PGlite) after the attacks',
      expected: 'no violation',
      timeoutMs: 30_000,
      run: async () => {
        await playground.facet.close();
        const db = await openDatabase(playground.config.database);
        try {
          const audit = await auditLedger(db);
          return outcome(audit.violations.length === 0, describe(audit.violations, audit.totals));
        } finally {
          await db.destroy();
        }
      },
    },
  ];
}
