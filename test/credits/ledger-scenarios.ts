import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { CreditLedger, LedgerOptions } from '../../src/credits/ledger.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import type { Database } from '../../src/storage/schema.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';

/**
 * Scenarios return what they observed instead of asserting, so the same code checks the real ledger
 * (must pass) and deliberately broken mutants (must be caught).
 */
export type LedgerFactory = (db: Kysely<Database>, options: LedgerOptions) => CreditLedger;

export async function freshAccount(db: Kysely<Database>) {
  const workspace = await ensureWorkspace(db, 'slack', `T${randomUUID()}`);
  return { workspaceId: workspace.id, userId: `U${randomUUID().slice(0, 8)}` };
}

/** 50 concurrent reserves of 3 against 10 available. */
export async function concurrentReserves(db: Kysely<Database>, ledger: CreditLedger) {
  const account = await freshAccount(db);
  await ledger.balance(account);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      ledger.reserve({
        account,
        subject: `design:${randomUUID()}`,
        amount: 3,
        key: `r:${account.userId}:${i}`,
      }),
    ),
  );
  const values = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const balance = await ledger.balance(account);
  const audit = await auditLedger(db);
  return {
    reserved: values.filter((v) => v.kind === 'reserved').length,
    insufficient: values.filter((v) => v.kind === 'insufficient').length,
    errors: outcomes.filter((o) => o.status === 'rejected').length,
    balance,
    violations: audit.violations,
  };
}

/** 20 concurrent callers with one idempotency key. */
export async function sameKeyRace(db: Kysely<Database>, ledger: CreditLedger) {
  const account = await freshAccount(db);
  await ledger.grant({ account, amount: 100, key: `g:${account.userId}` });
  const subject = `design:${randomUUID()}`;
  const key = `${subject}:start`;
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, () => ledger.reserve({ account, subject, amount: 3, key })),
  );
  const values = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const holdIds = new Set(values.flatMap((v) => (v.kind === 'reserved' ? [v.holdId] : [])));
  const entries = await db
    .selectFrom('ledger_entries')
    .select('id')
    .where('idempotency_key', '=', key)
    .execute();
  const audit = await auditLedger(db);
  return {
    fulfilled: values.length,
    firstUses: values.filter((v) => v.kind === 'reserved' && !v.replayed).length,
    holdIds: holdIds.size,
    entries: entries.length,
    balance: await ledger.balance(account),
    violations: audit.violations,
  };
}

/** Racing capture and release of one hold, then both again: exactly one settles it. */
export async function racingSettlement(db: Kysely<Database>, ledger: CreditLedger, rounds = 10) {
  const account = await freshAccount(db);
  await ledger.grant({ account, amount: 10 * rounds, key: `g:${account.userId}` });
  let settledTwice = 0;
  for (let round = 0; round < rounds; round++) {
    const subject = `design:${randomUUID()}`;
    const reserved = await ledger.reserve({ account, subject, amount: 3, key: `${subject}:start` });
    if (reserved.kind !== 'reserved') throw new Error('reserve refused');
    const holdId = reserved.holdId;
    const results = await Promise.all([
      ledger.capture({ holdId, expectedAmount: 3, key: `${subject}:capture` }),
      ledger.release({ holdId, key: `${subject}:release` }),
      ledger.capture({ holdId, expectedAmount: 3, key: `${subject}:capture` }),
      ledger.release({ holdId, key: `${subject}:release` }),
    ]);
    const firstSettlements = results.filter((r) => r.kind === 'settled' && !r.replayed).length;
    if (firstSettlements !== 1) settledTwice++;
  }
  const audit = await auditLedger(db);
  return { settledTwice, balance: await ledger.balance(account), violations: audit.violations };
}

/** The workflow's use: ledger calls inside its own transactions. A replay in a later transaction is answered, and a rolled-back transaction leaves nothing. */
export async function replaysInsideTransactions(db: Kysely<Database>, ledger: CreditLedger) {
  const account = await freshAccount(db);
  const key = `promo:${account.userId}`;
  const first = await db
    .transaction()
    .execute((trx) => ledger.within(trx).grant({ account, amount: 5, key }));
  const again = await db
    .transaction()
    .execute((trx) => ledger.within(trx).grant({ account, amount: 5, key }));
  const subject = `design:${randomUUID()}`;
  await db
    .transaction()
    .execute(async (trx) => {
      await ledger.within(trx).reserve({ account, subject, amount: 3, key: `${subject}:start` });
      throw new Error('the design transition failed');
    })
    .catch(() => undefined);
  const holds = await db.selectFrom('credit_holds').select('id').where('subject', '=', subject).execute();
  return {
    firstReplayed: first.replayed,
    againReplayed: again.replayed,
    balance: await ledger.balance(account),
    holdsAfterRollback: holds.length,
  };
}
