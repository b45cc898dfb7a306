import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../storage/schema.ts';
import { isUniqueViolation } from '../storage/postgres-errors.ts';
import { IdempotencyConflictError } from './errors/idempotency-conflict-error.ts';
import type {
  AccountRef,
  Balance,
  ExtendOutcome,
  GrantCeiling,
  GrantOutcome,
  HistoryEntry,
  HoldRefusal,
  OverCeiling,
  ReserveOutcome,
  SettleKind,
  SettleOutcome,
} from './ledger-outcomes.ts';
import {
  dueHoldIds,
  ensureAccount,
  extendStatement,
  findEntryByKey,
  findHold,
  grantStatement,
  lockActiveHold,
  lockWorkspaceGrants,
  reserveStatement,
  settleStatement,
  sumGrantsSince,
  type EntryRow,
  type HoldRow,
} from './ledger-statements.ts';

export type LedgerOptions = { clock: Clock; starterCredits: number };

type Request = { key: string; memo?: string | undefined };

/**
 * The credits ledger: two-phase holds over an append-only journal. Every mutating call carries an
 * idempotency key derived from domain ids; the same key again returns the first result and changes nothing.
 * Built on a transaction (`within`), its statements join the caller's transaction, so a design's state
 * change and its credit operation commit together.
 */
export class CreditLedger {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: LedgerOptions,
    private readonly accountIds = new Map<string, number>(),
  ) {}

  /** The same ledger, running inside the caller's transaction. */
  within(trx: Kysely<Database>): CreditLedger {
    return new CreditLedger(trx, this.options, this.accountIds);
  }

  async grant(request: Request & { account: AccountRef; amount: number }): Promise<GrantOutcome> {
    assertPositive(request.amount);
    const accountId = await this.accountId(request.account);
    const fingerprint = `grant|${accountId}|${request.amount}`;
    const row = await this.idempotent(request.key, fingerprint, () =>
      grantStatement(this.db, accountId, request.amount, this.entry(request, fingerprint)),
    );
    if (!row) throw new Error(`account ${accountId} vanished during a grant`);
    return { kind: 'granted', amount: row.amount, balance: balanceOf(row), replayed: row.replayed };
  }

  /**
   * A grant that is refused when the workspace's grants under `ceiling.keyPrefix` since `ceiling.since`
   * would pass `ceiling.most`. A repeat of a key already used is its replay, whatever the ceiling is now.
   */
  async grantUnderCeiling(
    request: Request & { account: AccountRef; amount: number; ceiling: GrantCeiling },
  ): Promise<GrantOutcome | OverCeiling> {
    assertPositive(request.amount);
    return this.transaction(async (db) => {
      const ledger = this.within(db);
      await lockWorkspaceGrants(db, request.account.workspaceId);
      if (!(await findEntryByKey(db, request.key))) {
        const grantedInWindow = await sumGrantsSince(db, {
          workspaceId: request.account.workspaceId,
          since: request.ceiling.since,
          keyPrefix: request.ceiling.keyPrefix,
        });
        if (grantedInWindow + request.amount > request.ceiling.most)
          return { kind: 'over_ceiling', most: request.ceiling.most, grantedInWindow };
      }
      return ledger.grant(request);
    });
  }

  /** Creates the hold for `subject` (e.g. design:<id>); refuses with `insufficient`, never overdraws. */
  async reserve(
    request: Request & { account: AccountRef; subject: string; amount: number; expiresAt?: Date | null },
  ): Promise<ReserveOutcome> {
    assertPositive(request.amount);
    const accountId = await this.accountId(request.account);
    const fingerprint = `reserve|${accountId}|${request.subject}|${request.amount}`;
    const row = await this.idempotent(request.key, fingerprint, () =>
      reserveStatement(
        this.db,
        accountId,
        request.subject,
        request.amount,
        request.expiresAt ?? null,
        this.entry(request, fingerprint),
      ),
    );
    if (!row) return this.insufficient(request.account, request.amount);
    return {
      kind: 'reserved',
      holdId: requireHold(row),
      amount: row.amount,
      balance: balanceOf(row),
      replayed: row.replayed,
    };
  }

  /** Adds to an active hold (+1 per edit) and renews its expiry when given. */
  async extend(
    request: Request & { holdId: string; amount: number; expiresAt?: Date | null },
  ): Promise<ExtendOutcome> {
    assertPositive(request.amount);
    const fingerprint = `extend|${request.holdId}|${request.amount}`;
    const row = await this.idempotent(request.key, fingerprint, () =>
      this.transaction(async (db) => {
        if (!(await lockActiveHold(db, request.holdId))) return undefined;
        return extendStatement(
          db,
          request.holdId,
          request.amount,
          request.expiresAt ?? null,
          this.entry(request, fingerprint),
        );
      }),
    );
    if (row) {
      return {
        kind: 'extended',
        holdId: request.holdId,
        added: row.amount,
        balance: balanceOf(row),
        replayed: row.replayed,
      };
    }
    const check = checkHold(request.holdId, await findHold(this.db, request.holdId));
    if ('refusal' in check) return check.refusal;
    const balance = await this.balanceOfAccountId(check.active.account_id);
    return { kind: 'insufficient', cost: request.amount, available: balance.available };
  }

  /** Charges the hold. `expectedAmount` (base + edits) must match it, so a bug cannot over-charge. */
  capture(request: Request & { holdId: string; expectedAmount: number }): Promise<SettleOutcome> {
    return this.settle('capture', request.holdId, request.expectedAmount, request);
  }

  /** Returns the held credits (failure, cancel). */
  release(request: Request & { holdId: string }): Promise<SettleOutcome> {
    return this.settle('release', request.holdId, null, request);
  }

  /** Returns the held credits of a hold whose expiry has passed; `not_due` otherwise. */
  expire(request: { holdId: string; key?: string }): Promise<SettleOutcome> {
    return this.settle('expire', request.holdId, null, {
      key: request.key ?? `hold:${request.holdId}:expire`,
      memo: 'Hold expired',
    });
  }

  /** Sweeper: expires every due hold (each in its own statement) and returns the ids it expired. */
  async expireDue(limit = 500): Promise<string[]> {
    const expired: string[] = [];
    for (const holdId of await dueHoldIds(this.db, this.options.clock(), limit)) {
      const outcome = await this.expire({ holdId });
      if (outcome.kind === 'settled' && !outcome.replayed) expired.push(holdId);
    }
    return expired;
  }

  async balance(account: AccountRef): Promise<Balance> {
    return this.balanceOfAccountId(await this.accountId(account));
  }

  async history(account: AccountRef, limit = 20): Promise<HistoryEntry[]> {
    const accountId = await this.accountId(account);
    const rows = await this.db
      .selectFrom('ledger_entries')
      .select([
        'id',
        'kind',
        'amount',
        'balance_delta',
        'held_delta',
        'balance_after',
        'held_after',
        'hold_id',
        'memo',
        'created_at',
      ])
      .where('account_id', '=', accountId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      amount: row.amount,
      balanceDelta: row.balance_delta,
      heldDelta: row.held_delta,
      balanceAfter: row.balance_after,
      heldAfter: row.held_after,
      holdId: row.hold_id,
      memo: row.memo,
      createdAt: row.created_at,
    }));
  }

  private async settle(
    how: SettleKind,
    holdId: string,
    expectedAmount: number | null,
    request: Request,
  ): Promise<SettleOutcome> {
    const fingerprint = `${how}|${holdId}${expectedAmount === null ? '' : `|${expectedAmount}`}`;
    const row = await this.idempotent(request.key, fingerprint, () =>
      settleStatement(this.db, how, holdId, expectedAmount, this.entry(request, fingerprint)),
    );
    if (row) {
      return {
        kind: 'settled',
        how,
        holdId,
        amount: row.amount,
        balance: balanceOf(row),
        replayed: row.replayed,
      };
    }
    const check = checkHold(holdId, await findHold(this.db, holdId));
    if ('refusal' in check) return check.refusal;
    if (expectedAmount !== null && check.active.amount !== expectedAmount) {
      return { kind: 'amount_mismatch', holdId, expected: expectedAmount, held: check.active.amount };
    }
    return { kind: 'not_due', holdId, expiresAt: check.active.expires_at };
  }

  /**
   * Runs `write` unless the key was used already; two racing first uses are decided by the unique index
   * on the key, and the loser reads the winner's result.
   */
  private async idempotent(
    key: string,
    fingerprint: string,
    write: () => Promise<EntryRow | undefined>,
  ): Promise<(EntryRow & { replayed: boolean }) | undefined> {
    // Inside a caller's transaction an error cannot be recovered from, so look first. On its own, write
    // optimistically: a used key makes the write fail on the unique index, and the replay is read then.
    if (this.db.isTransaction) {
      const previous = await findEntryByKey(this.db, key);
      if (previous) return replay(key, fingerprint, previous);
    }
    let row: EntryRow | undefined;
    try {
      row = await write();
    } catch (error) {
      // Inside a caller's transaction the error has aborted it: only the caller can retry.
      if (this.db.isTransaction || !isUniqueViolation(error)) throw error;
      const winner = await findEntryByKey(this.db, key);
      if (!winner) throw error;
      return replay(key, fingerprint, winner);
    }
    if (row) return { ...row, replayed: false };
    // Refused by a guard; a racing first use of the same key may have won meanwhile.
    const winner = await findEntryByKey(this.db, key);
    return winner ? replay(key, fingerprint, winner) : undefined;
  }

  private transaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  private entry(request: Request, fingerprint: string) {
    return { key: request.key, fingerprint, memo: request.memo ?? null, now: this.options.clock() };
  }

  private async insufficient(account: AccountRef, cost: number): Promise<ReserveOutcome> {
    const balance = await this.balance(account);
    return { kind: 'insufficient', cost, available: balance.available };
  }

  private async balanceOfAccountId(accountId: number): Promise<Balance> {
    const row = await this.db
      .selectFrom('credit_accounts')
      .select(['posted_credits', 'posted_debits', 'pending_debits'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const balance = row.posted_credits - row.posted_debits;
    return { balance, held: row.pending_debits, available: balance - row.pending_debits };
  }

  /** Account ids never change and accounts are never deleted, so they are cached per ledger. */
  private async accountId(account: AccountRef): Promise<number> {
    const cacheKey = `${account.workspaceId}\u0000${account.userId}`;
    const cached = this.accountIds.get(cacheKey);
    if (cached !== undefined) return cached;
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = await ensureAccount(
        this.db,
        account.workspaceId,
        account.userId,
        this.options.starterCredits,
        this.options.clock(),
      );
      if (id !== undefined) {
        // An id seen inside a transaction may roll back with it: only committed ids are cached.
        if (!this.db.isTransaction) this.accountIds.set(cacheKey, id);
        return id;
      }
      // A concurrent first use committed the account after this statement's snapshot: read it again.
    }
    throw new Error(`could not create the credit account of ${account.userId}`);
  }
}

/** Why a write on this hold did nothing: it is missing or settled; otherwise the still-active hold. */
function checkHold(
  holdId: string,
  hold: HoldRow | undefined,
): { refusal: HoldRefusal } | { active: HoldRow } {
  if (!hold) return { refusal: { kind: 'hold_not_found', holdId } };
  if (hold.status !== 'active') return { refusal: { kind: 'already_settled', holdId, status: hold.status } };
  return { active: hold };
}

function replay(key: string, fingerprint: string, row: EntryRow): EntryRow & { replayed: boolean } {
  if (row.fingerprint !== fingerprint) throw new IdempotencyConflictError(key, row.fingerprint, fingerprint);
  return { ...row, replayed: true };
}

function balanceOf(row: EntryRow): Balance {
  return { balance: row.balance_after, held: row.held_after, available: row.balance_after - row.held_after };
}

function requireHold(row: EntryRow): string {
  if (row.hold_id === null) throw new Error('a reserve entry without a hold');
  return row.hold_id;
}

function assertPositive(amount: number): void {
  if (!Number.isInteger(amount) || amount <= 0)
    throw new RangeError(`credit amounts are positive whole numbers, got ${amount}`);
}
