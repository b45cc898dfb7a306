import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import type { AccountRef } from '../../src/credits/ledger-outcomes.ts';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { createPGliteDatabase, createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/*
 * Model-based test: random sequences of ledger operations run against the real ledger and against an
 * independent model written here; after every step the balances must agree and the audit must be clean.
 */

const USERS = 3;
const STARTER = 10;

type ModelHold = {
  id: string;
  user: number;
  amount: number;
  status: 'active' | 'captured' | 'released' | 'expired';
  expiresAt: number | null;
};
type Done = { run: (real: Real) => Promise<unknown>; first: unknown };
type Model = {
  now: number;
  balances: { balance: number; held: number }[];
  holds: ModelHold[];
  replayable: Done[];
  nextKey: number;
};
type Real = { ledger: CreditLedger; accounts: AccountRef[]; db: FacetDatabase; clock: { now: number } };

const available = (m: Model, user: number) => m.balances[user]!.balance - m.balances[user]!.held;
const key = (m: Model) => `k${m.nextKey++}:${randomUUID()}`;

async function expectAgreement(model: Model, real: Real) {
  for (let user = 0; user < USERS; user++) {
    const b = model.balances[user]!;
    expect(await real.ledger.balance(real.accounts[user]!)).toEqual({
      balance: b.balance,
      held: b.held,
      available: b.balance - b.held,
    });
  }
  expect((await auditLedger(real.db)).violations).toEqual([]);
}

function stripReplay(value: unknown) {
  if (typeof value === 'object' && value !== null && 'replayed' in value) return { ...value, replayed: true };
  return value;
}

class Grant implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly amount: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const request = { account: r.accounts[this.user]!, amount: this.amount, key: key(m) };
    const outcome = await r.ledger.grant(request);
    m.balances[this.user]!.balance += this.amount;
    m.replayable.push({
      run: (real) => real.ledger.grant({ ...request, account: real.accounts[this.user]! }),
      first: outcome,
    });
    await expectAgreement(m, r);
  }
  toString = () => `grant(u${this.user}, ${this.amount})`;
}

class Reserve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly amount: number,
    readonly ttl: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const subject = `design:${randomUUID()}`;
    const expiresAt = this.ttl === null ? null : m.now + this.ttl;
    const request = {
      account: r.accounts[this.user]!,
      subject,
      amount: this.amount,
      key: key(m),
      expiresAt: expiresAt === null ? null : new Date(expiresAt),
    };
    const outcome = await r.ledger.reserve(request);
    if (available(m, this.user) >= this.amount) {
      if (outcome.kind !== 'reserved')
        throw new Error(`expected a reservation, got ${JSON.stringify(outcome)}`);
      m.balances[this.user]!.held += this.amount;
      m.holds.push({ id: outcome.holdId, user: this.user, amount: this.amount, status: 'active', expiresAt });
      m.replayable.push({ run: (real) => real.ledger.reserve(request), first: outcome });
    } else {
      expect(outcome).toEqual({
        kind: 'insufficient',
        cost: this.amount,
        available: available(m, this.user),
      });
    }
    await expectAgreement(m, r);
  }
  toString = () => `reserve(u${this.user}, ${this.amount}, ttl ${this.ttl})`;
}

abstract class HoldCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.holds.length > 0;
  hold(m: Model) {
    return m.holds[this.pick % m.holds.length]!;
  }
  abstract run(m: Model, r: Real): Promise<void>;
}

class Extend extends HoldCommand {
  constructor(
    pick: number,
    readonly amount: number,
    readonly ttl: number,
  ) {
    super(pick);
  }
  override async run(m: Model, r: Real) {
    const hold = this.hold(m);
    const expiresAt = m.now + this.ttl;
    const request = { holdId: hold.id, amount: this.amount, key: key(m), expiresAt: new Date(expiresAt) };
    const outcome = await r.ledger.extend(request);
    if (hold.status !== 'active') {
      expect(outcome).toEqual({ kind: 'already_settled', holdId: hold.id, status: hold.status });
    } else if (available(m, hold.user) < this.amount) {
      expect(outcome).toEqual({
        kind: 'insufficient',
        cost: this.amount,
        available: available(m, hold.user),
      });
    } else {
      expect(outcome).toMatchObject({ kind: 'extended', added: this.amount, replayed: false });
      hold.amount += this.amount;
      hold.expiresAt = expiresAt;
      m.balances[hold.user]!.held += this.amount;
      m.replayable.push({ run: (real) => real.ledger.extend(request), first: outcome });
    }
    await expectAgreement(m, r);
  }
  override toString = () => `extend(#${this.pick}, ${this.amount})`;
}

class Settle extends HoldCommand {
  constructor(
    pick: number,
    readonly how: 'capture' | 'capture-wrong-amount' | 'release',
  ) {
    super(pick);
  }
  override async run(m: Model, r: Real) {
    const hold = this.hold(m);
    const expected = this.how === 'capture-wrong-amount' ? hold.amount + 1 : hold.amount;
    const k = key(m);
    const call = (real: Real) =>
      this.how === 'release'
        ? real.ledger.release({ holdId: hold.id, key: k })
        : real.ledger.capture({ holdId: hold.id, expectedAmount: expected, key: k });
    const outcome = await call(r);
    if (hold.status !== 'active') {
      expect(outcome).toEqual({ kind: 'already_settled', holdId: hold.id, status: hold.status });
    } else if (this.how === 'capture-wrong-amount') {
      expect(outcome).toEqual({ kind: 'amount_mismatch', holdId: hold.id, expected, held: hold.amount });
    } else {
      expect(outcome).toMatchObject({ kind: 'settled', amount: hold.amount, replayed: false });
      const b = m.balances[hold.user]!;
      b.held -= hold.amount;
      if (this.how === 'capture') b.balance -= hold.amount;
      hold.status = this.how === 'capture' ? 'captured' : 'released';
      m.replayable.push({ run: call, first: outcome });
    }
    await expectAgreement(m, r);
  }
  override toString = () => `${this.how}(#${this.pick})`;
}

class AdvanceAndSweep implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    m.now += this.ms;
    r.clock.now = m.now;
    const expired = new Set(await r.ledger.expireDue());
    for (const hold of m.holds) {
      if (hold.status === 'active' && hold.expiresAt !== null && hold.expiresAt <= m.now) {
        expect(expired.has(hold.id)).toBe(true);
        hold.status = 'expired';
        m.balances[hold.user]!.held -= hold.amount;
      }
    }
    await expectAgreement(m, r);
  }
  toString = () => `advance(${this.ms}ms)+sweep`;
}

class Replay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.replayable.length > 0;
  async run(m: Model, r: Real) {
    const done = m.replayable[this.pick % m.replayable.length]!;
    expect(await done.run(r)).toEqual(stripReplay(done.first));
    await expectAgreement(m, r);
  }
  toString = () => `replay(#${this.pick})`;
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const pick = fc.nat();
const commands = [
  fc.tuple(user, fc.integer({ min: 1, max: 6 })).map(([u, a]) => new Grant(u, a)),
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(user, fc.integer({ min: 1, max: 6 }), fc.option(fc.integer({ min: 1, max: 5_000 })))
      .map(([u, a, t]) => new Reserve(u, a, t)),
  ),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(pick, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5_000 }))
      .map(([p, a, t]) => new Extend(p, a, t)),
  ),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(
        pick,
        fc.constantFrom<'capture' | 'capture-wrong-amount' | 'release'>(
          'capture',
          'capture-wrong-amount',
          'release',
        ),
      )
      .map(([p, h]) => new Settle(p, h)),
  ),
  fc.integer({ min: 1, max: 4_000 }).map((ms) => new AdvanceAndSweep(ms)),
  ...Array.from({ length: 2 }, () => pick.map((p) => new Replay(p))),
];

async function runModel(db: FacetDatabase, numRuns: number) {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { size: 'max', maxCommands: 40 }), async (cmds) => {
      const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
      const ledger = new CreditLedger(db, { clock: () => new Date(clock.now), starterCredits: STARTER });
      const workspace = await ensureWorkspace(db, 'discord', `G${randomUUID()}`);
      const accounts = Array.from({ length: USERS }, (_, i) => ({
        workspaceId: workspace.id,
        userId: `u${i}`,
      }));
      const model: Model = {
        now: clock.now,
        balances: Array.from({ length: USERS }, () => ({ balance: STARTER, held: 0 })),
        holds: [],
        replayable: [],
        nextKey: 0,
      };
      await fc.asyncModelRun(() => ({ model, real: { ledger, accounts, db, clock } }), cmds);
    }),
    { numRuns },
  );
}

describe('credits ledger against an independent model', () => {
  let postgres: TestDatabase;
  let pglite: FacetDatabase;
  beforeAll(async () => {
    postgres = await createTestDatabase('ledger_model');
    pglite = await createPGliteDatabase();
  }, 120_000);
  afterAll(async () => {
    await postgres.drop();
    await pglite.destroy();
  });

  it('agrees with the model on Postgres', async () => {
    await runModel(postgres.db, Number(process.env.LEDGER_MODEL_RUNS ?? 120));
  }, 300_000);

  it('agrees with the model on PGlite', async () => {
    await runModel(pglite, Number(process.env.LEDGER_MODEL_RUNS_PGLITE ?? 30));
  }, 300_000);
});
