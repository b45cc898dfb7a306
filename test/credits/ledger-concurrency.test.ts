import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import type { AccountRef } from '../../src/credits/ledger-outcomes.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/*
 * Bank-style run: 32 clients, 10,000 operations with duplicate deliveries, capture racing release on
 * the same hold, and a sweeper expiring short holds, while a reader audits consistent snapshots.
 */

const CLIENTS = 32;
const OPERATIONS = Number(process.env.LEDGER_CONCURRENCY_OPS ?? 10_000);
const ACCOUNTS = 16;
const STARTER = 20;

describe('credits ledger under concurrency', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('ledger_bank', { poolSize: CLIENTS + 4 });
  });
  afterAll(() => test.drop());

  it('answers a duplicate reserve that races the settlement of its own hold, without a deadlock', async () => {
    const ledger = new CreditLedger(test.db, { clock: systemClock, starterCredits: STARTER });
    const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID()}`);
    const account = { workspaceId: workspace.id, userId: 'U-dup' };
    const subject = `design:${randomUUID()}`;
    const request = { account, subject, amount: 3, key: `${subject}:start` };
    const first = await ledger.reserve(request);
    if (first.kind !== 'reserved') throw new Error(`unexpected ${first.kind}`);

    // A settlement in progress, stopped between its hold and its account update (the order settle uses).
    const settler = new pg.Client({ connectionString: test.url });
    await settler.connect();
    try {
      await settler.query('begin');
      await settler.query(`update credit_holds set status = 'captured', settled_at = now() where id = $1`, [
        first.holdId,
      ]);
      const duplicate = ledger.reserve(request);
      await waitUntilSomeoneWaits(settler);
      const { rows } = await settler.query<{ id: string }>(
        'select account_id as id from credit_holds where id = $1',
        [first.holdId],
      );
      const accountUpdate = settler.query(
        'update credit_accounts set posted_credits = posted_credits where id = $1',
        [rows[0]!.id],
      );
      // Before the fix the duplicate held the account while waiting for this transaction: deadlock.
      await Promise.race([
        accountUpdate,
        new Promise((_, reject) => setTimeout(() => reject(new Error('account update blocked')), 5_000)),
      ]);
      await settler.query('rollback');
      expect(await duplicate).toMatchObject({ kind: 'reserved', holdId: first.holdId, replayed: true });
    } finally {
      await settler.end();
    }
    expect(await ledger.balance(account)).toEqual({ balance: STARTER, held: 3, available: STARTER - 3 });
  });

  it('conserves every credit, never overdraws and never deadlocks', async () => {
    const db = test.db;
    const ledger = new CreditLedger(db, { clock: systemClock, starterCredits: STARTER });
    const workspace = await ensureWorkspace(db, 'slack', `T${randomUUID()}`);
    const accounts: AccountRef[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
      workspaceId: workspace.id,
      userId: `U${i}`,
    }));
    const holds: { id: string; subject: string }[] = [];
    const sent: (() => Promise<unknown>)[] = [];
    const seen = new Map<string, number>();
    const count = (name: string, by = 1) => seen.set(name, (seen.get(name) ?? 0) + by);
    const errors: unknown[] = [];
    // Counted from what earlier tests in this database granted.
    let granted = (await auditLedger(db)).totals.granted + ACCOUNTS * STARTER;
    let issued = 0;
    const run = { done: false };

    const record = (outcome: { kind: string; replayed?: boolean; how?: string }) => {
      count(outcome.kind === 'settled' ? `settled:${outcome.how}` : outcome.kind);
      if (outcome.replayed) count('replayed');
    };
    const send = async (call: () => Promise<{ kind: string }>) => {
      sent.push(call);
      const outcome = await call();
      record(outcome);
      return outcome;
    };
    const randomHold = () => holds[Math.floor(Math.random() * holds.length)];

    async function client(id: number) {
      while (issued < OPERATIONS) {
        const n = issued++;
        const roll = Math.random();
        const account = accounts[(id + n) % ACCOUNTS]!;
        const hold = randomHold();
        try {
          if (roll < 0.35 || !hold) {
            const subject = `design:${randomUUID()}`;
            const ttl = Math.random() < 0.3 ? 5 + Math.random() * 40 : 60_000;
            const outcome = await send(() =>
              ledger.reserve({
                account,
                subject,
                amount: 1 + (n % 4),
                key: `${subject}:start`,
                expiresAt: new Date(Date.now() + ttl),
              }),
            );
            if (outcome.kind === 'reserved' && 'holdId' in outcome)
              holds.push({ id: outcome.holdId as string, subject });
          } else if (roll < 0.5) {
            // An edit renews the hold's TTL, sometimes to a moment the sweeper is about to reach.
            const renewTo = Math.random() < 0.5 ? new Date(Date.now() + Math.random() * 30) : null;
            await send(() =>
              ledger.extend({
                holdId: hold.id,
                amount: 1,
                key: `${hold.subject}:edit:${n}`,
                expiresAt: renewTo,
              }),
            );
          } else if (roll < 0.62) {
            // Capture races release on the same hold; the expected amount may be stale on purpose.
            await Promise.all([
              send(() =>
                ledger.capture({
                  holdId: hold.id,
                  expectedAmount: 1 + (n % 4),
                  key: `${hold.subject}:capture:${1 + (n % 4)}`,
                }),
              ),
              send(() => ledger.release({ holdId: hold.id, key: `${hold.subject}:release` })),
            ]);
          } else if (roll < 0.72) {
            await send(() =>
              ledger.capture({
                holdId: hold.id,
                expectedAmount: 1 + (n % 4),
                key: `${hold.subject}:capture:${1 + (n % 4)}`,
              }),
            );
          } else if (roll < 0.8) {
            const amount = 1 + (n % 3);
            const outcome = await send(() => ledger.grant({ account, amount, key: `grant:${n}` }));
            if (outcome.kind === 'granted') granted += amount;
          } else if (sent.length > 0) {
            // Duplicate delivery of an earlier request, identical key and payload.
            const again = sent[Math.floor(Math.random() * sent.length)]!;
            record((await again()) as { kind: string });
          }
        } catch (error) {
          errors.push(error);
        }
      }
    }

    const audits: string[][] = [];
    const reader = (async () => {
      while (!run.done) audits.push((await auditLedger(db)).violations);
    })();
    const sweeper = (async () => {
      while (!run.done) {
        try {
          count('swept', (await ledger.expireDue()).length);
        } catch (error) {
          errors.push(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const started = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    run.done = true;
    await Promise.all([reader, sweeper]);
    const elapsed = Date.now() - started;

    expect(errors.map(String)).toEqual([]);
    expect(audits.length).toBeGreaterThan(5);
    expect(audits.flat()).toEqual([]);
    const final = await auditLedger(db);
    expect(final.violations).toEqual([]);
    // Grants are counted once even when their delivery was duplicated.
    expect(final.totals.granted).toBe(granted);
    for (const outcome of [
      'reserved',
      'insufficient',
      'extended',
      'settled:capture',
      'settled:release',
      'already_settled',
      'amount_mismatch',
      'replayed',
      'swept',
    ]) {
      expect(seen.get(outcome) ?? 0, `outcome ${outcome} never happened`).toBeGreaterThan(0);
    }
    console.info(
      JSON.stringify({
        operations: OPERATIONS,
        clients: CLIENTS,
        elapsedMs: elapsed,
        audits: audits.length,
        outcomes: Object.fromEntries(seen),
      }),
    );
  }, 180_000);
});

async function waitUntilSomeoneWaits(observer: pg.Client): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { rows } = await observer.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the duplicate reserve never waited for the settlement');
}
