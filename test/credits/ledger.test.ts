import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflictError } from '../../src/credits/errors/idempotency-conflict-error.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import type { Database } from '../../src/storage/schema.ts';
import { createPGliteDatabase, createTestDatabase } from '../helpers/test-database.ts';
import {
  concurrentReserves,
  freshAccount,
  racingSettlement,
  replaysInsideTransactions,
  sameKeyRace,
} from './ledger-scenarios.ts';

type Backend = { name: string; open: () => Promise<{ db: Kysely<Database>; close: () => Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'postgres',
    open: async () => {
      const test = await createTestDatabase('ledger', { poolSize: 24 });
      return { db: test.db, close: test.drop };
    },
  },
  {
    name: 'pglite',
    open: async () => {
      const db = await createPGliteDatabase();
      return { db, close: () => db.destroy() };
    },
  },
];

describe.each(backends)('credits ledger on $name', (backend) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = () => now;
  let ledger: CreditLedger;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    ledger = new CreditLedger(db, { clock, starterCredits: 10 });
  }, 120_000);
  afterAll(async () => {
    const audit = await auditLedger(db);
    expect(audit.violations).toEqual([]);
    await close();
  });

  it('gives a new account its starter credits exactly once', async () => {
    const account = await freshAccount(db);
    const balances = await Promise.all(Array.from({ length: 8 }, () => ledger.balance(account)));
    expect(balances).toEqual(Array.from({ length: 8 }, () => ({ balance: 10, held: 0, available: 10 })));
    const fresh = new CreditLedger(db, { clock, starterCredits: 10 });
    expect(await fresh.balance(account)).toEqual({ balance: 10, held: 0, available: 10 });
    const history = await ledger.history(account);
    expect(history.map((e) => [e.kind, e.amount, e.memo])).toEqual([['grant', 10, 'Starter credits']]);
  });

  it('lets exactly 3 of 50 concurrent reserves of 3 succeed against 10 available', async () => {
    const result = await concurrentReserves(db, ledger);
    expect(result).toMatchObject({ reserved: 3, insufficient: 47, errors: 0, violations: [] });
    expect(result.balance).toEqual({ balance: 10, held: 9, available: 1 });
  });

  it('gives one effect to 20 concurrent callers with the same key', async () => {
    const result = await sameKeyRace(db, ledger);
    expect(result).toMatchObject({ fulfilled: 20, firstUses: 1, holdIds: 1, entries: 1, violations: [] });
    expect(result.balance).toEqual({ balance: 110, held: 3, available: 107 });
  });

  it('refuses the same key with another payload as a conflict', async () => {
    const account = await freshAccount(db);
    await ledger.grant({ account, amount: 5, key: `admin:${account.userId}:1` });
    await expect(
      ledger.grant({ account, amount: 6, key: `admin:${account.userId}:1` }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    const subject = `design:${randomUUID()}`;
    await ledger.reserve({ account, subject, amount: 3, key: `${subject}:start` });
    await expect(ledger.reserve({ account, subject, amount: 2, key: `${subject}:start` })).rejects.toThrow(
      /first used for reserve\|\d+\|design:[\w-]+\|3, not reserve\|\d+\|design:[\w-]+\|2/,
    );
    expect(await ledger.balance(account)).toEqual({ balance: 15, held: 3, available: 12 });
  });

  it('returns the first result to a replay, even when the balance has changed since', async () => {
    const account = await freshAccount(db);
    const subject = `design:${randomUUID()}`;
    const first = await ledger.reserve({ account, subject, amount: 9, key: `${subject}:start` });
    expect(first).toMatchObject({ kind: 'reserved', replayed: false, balance: { available: 1 } });
    const again = await ledger.reserve({ account, subject, amount: 9, key: `${subject}:start` });
    expect(again).toEqual({ ...first, replayed: true });
  });

  it('settles a hold once: capture after release and release after capture are refused', async () => {
    const account = await freshAccount(db);
    const a = await ledger.reserve({
      account,
      subject: 'design:a-' + account.userId,
      amount: 3,
      key: `a:${account.userId}`,
    });
    const b = await ledger.reserve({
      account,
      subject: 'design:b-' + account.userId,
      amount: 3,
      key: `b:${account.userId}`,
    });
    if (a.kind !== 'reserved' || b.kind !== 'reserved') throw new Error('reserve refused');
    expect(await ledger.release({ holdId: a.holdId, key: `a:release` + account.userId })).toMatchObject({
      kind: 'settled',
      how: 'release',
    });
    expect(
      await ledger.capture({ holdId: a.holdId, expectedAmount: 3, key: `a:capture` + account.userId }),
    ).toEqual({
      kind: 'already_settled',
      holdId: a.holdId,
      status: 'released',
    });
    expect(
      await ledger.capture({ holdId: b.holdId, expectedAmount: 3, key: `b:capture` + account.userId }),
    ).toMatchObject({
      kind: 'settled',
      how: 'capture',
      amount: 3,
      balance: { balance: 7, held: 0, available: 7 },
    });
    expect(await ledger.release({ holdId: b.holdId, key: `b:release` + account.userId })).toMatchObject({
      kind: 'already_settled',
      status: 'captured',
    });
    expect(await ledger.balance(account)).toEqual({ balance: 7, held: 0, available: 7 });
  });

  it("joins the caller's transaction: replays are answered there and a rollback leaves nothing", async () => {
    expect(await replaysInsideTransactions(db, ledger)).toEqual({
      firstReplayed: false,
      againReplayed: true,
      balance: { balance: 15, held: 0, available: 15 },
      holdsAfterRollback: 0,
    });
  });

  it('settles exactly once when capture and release race', async () => {
    const result = await racingSettlement(db, ledger);
    expect(result).toMatchObject({ settledTwice: 0, violations: [] });
  });

  it('extends a hold per edit and captures only the expected amount', async () => {
    const account = await freshAccount(db);
    const subject = `design:${randomUUID()}`;
    const hold = await ledger.reserve({ account, subject, amount: 3, key: `${subject}:start` });
    if (hold.kind !== 'reserved') throw new Error('reserve refused');
    for (const n of [1, 2, 3]) {
      const extended = await ledger.extend({ holdId: hold.holdId, amount: 1, key: `${subject}:edit:${n}` });
      expect(extended).toMatchObject({ kind: 'extended', added: 1, balance: { held: 3 + n } });
    }
    expect(await ledger.extend({ holdId: hold.holdId, amount: 1, key: `${subject}:edit:3` })).toMatchObject({
      kind: 'extended',
      replayed: true,
    });
    expect(await ledger.extend({ holdId: hold.holdId, amount: 5, key: `${subject}:edit:4` })).toEqual({
      kind: 'insufficient',
      cost: 5,
      available: 4,
    });
    expect(
      await ledger.capture({ holdId: hold.holdId, expectedAmount: 5, key: `${subject}:capture` }),
    ).toEqual({
      kind: 'amount_mismatch',
      holdId: hold.holdId,
      expected: 5,
      held: 6,
    });
    expect(
      await ledger.capture({ holdId: hold.holdId, expectedAmount: 6, key: `${subject}:capture` }),
    ).toMatchObject({
      kind: 'settled',
      amount: 6,
      balance: { balance: 4, held: 0, available: 4 },
    });
    expect(await ledger.extend({ holdId: hold.holdId, amount: 1, key: `${subject}:edit:5` })).toEqual({
      kind: 'already_settled',
      holdId: hold.holdId,
      status: 'captured',
    });
    expect(await ledger.extend({ holdId: randomUUID(), amount: 1, key: `${subject}:edit:6` })).toMatchObject({
      kind: 'hold_not_found',
    });
  });

  it('expires due holds only, re-checking the expiry, and returns their credits', async () => {
    const account = await freshAccount(db);
    const soon = new Date(now.getTime() + 60_000);
    const later = new Date(now.getTime() + 3_600_000);
    const s1 = `design:${randomUUID()}`;
    const s2 = `design:${randomUUID()}`;
    const h1 = await ledger.reserve({ account, subject: s1, amount: 3, key: `${s1}:start`, expiresAt: soon });
    const h2 = await ledger.reserve({ account, subject: s2, amount: 3, key: `${s2}:start`, expiresAt: soon });
    if (h1.kind !== 'reserved' || h2.kind !== 'reserved') throw new Error('reserve refused');
    expect(await ledger.expire({ holdId: h1.holdId })).toEqual({
      kind: 'not_due',
      holdId: h1.holdId,
      expiresAt: soon,
    });
    // An edit renews the TTL of h2.
    await ledger.extend({ holdId: h2.holdId, amount: 1, key: `${s2}:edit:1`, expiresAt: later });
    now = new Date(soon.getTime());
    const expired = await ledger.expireDue();
    expect(expired).toContain(h1.holdId);
    expect(expired).not.toContain(h2.holdId);
    expect(await ledger.balance(account)).toEqual({ balance: 10, held: 4, available: 6 });
    expect(await ledger.expireDue()).not.toContain(h1.holdId);
    now = new Date(later.getTime() + 1);
    expect(await ledger.expireDue()).toContain(h2.holdId);
    expect(await ledger.balance(account)).toEqual({ balance: 10, held: 0, available: 10 });
    expect((await ledger.history(account)).map((e) => e.kind)).toEqual([
      'expire',
      'expire',
      'extend',
      'reserve',
      'reserve',
      'grant',
    ]);
  });

  it('keeps the journal append-only', async () => {
    await expect(db.updateTable('ledger_entries').set({ memo: 'edited' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('ledger_entries').execute()).rejects.toThrow(/append-only/);
  });

  it('rejects amounts that are not positive whole numbers before touching the database', async () => {
    const account = await freshAccount(db);
    await expect(ledger.grant({ account, amount: 0, key: 'zero' })).rejects.toThrow(RangeError);
    await expect(ledger.reserve({ account, subject: 's', amount: 1.5, key: 'frac' })).rejects.toThrow(
      RangeError,
    );
  });
});
