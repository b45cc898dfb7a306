/*
 * npm run bench:ledger: reserve -> capture cycles per second with 16 concurrent clients on the local
 * Postgres (a database of its own, dropped afterwards), then an audit of every invariant.
 * Prints its figures as one JSON line last. Env: BENCH_CLIENTS (16), BENCH_SECONDS (10).
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../src/clock.ts';
import { auditLedger } from '../src/credits/invariants.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { ensureWorkspace } from '../src/storage/workspaces.ts';
import { createTestDatabase } from '../test/helpers/test-database.ts';

const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

const poolSize = Number(process.env.BENCH_POOL ?? 10);
const test = await createTestDatabase('bench_ledger', { poolSize });
try {
  const ledger = new CreditLedger(test.db, { clock: systemClock, starterCredits: 0 });
  const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID()}`);
  const accounts = Array.from({ length: clients * 2 }, (_, i) => ({
    workspaceId: workspace.id,
    userId: `U${i}`,
  }));
  for (const account of accounts)
    await ledger.grant({ account, amount: 10_000_000, key: `seed:${account.userId}` });

  const latencies: number[] = [];
  let cycles = 0;
  let refused = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const account = accounts[(c + i) % accounts.length]!;
        const subject = `design:${randomUUID()}`;
        const t0 = performance.now();
        const hold = await ledger.reserve({ account, subject, amount: 3, key: `${subject}:start` });
        if (hold.kind !== 'reserved') {
          refused++;
          continue;
        }
        const settled = await ledger.capture({
          holdId: hold.holdId,
          expectedAmount: 3,
          key: `${subject}:capture`,
        });
        if (settled.kind !== 'settled') refused++;
        latencies.push(performance.now() - t0);
        cycles++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const audit = await auditLedger(test.db);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2));
  console.log(
    JSON.stringify({
      bench: 'ledger',
      clients,
      poolSize,
      seconds: Number(elapsed.toFixed(2)),
      cycles,
      cyclesPerSecond: Math.round(cycles / elapsed),
      cycleMsP50: at(0.5),
      cycleMsP99: at(0.99),
      refused,
      invariantViolations: audit.violations.length,
      target: { cyclesPerSecond: 1000, invariantViolations: 0 },
    }),
  );
  if (audit.violations.length > 0) process.exitCode = 1;
} finally {
  await test.drop();
}
