import { sql, type Kysely } from 'kysely';
import type { Database, EntryKind, HoldStatus } from '../storage/schema.ts';

/*
 * Each mutating ledger operation commits whole or not at all. Grant is one guarded statement; reserve
 * and settle call the SQL functions of migrations/0002 (one round trip; settle locks the hold in a
 * statement of its own, then settles from a snapshot taken after the lock); extend is a short
 * transaction that locks the hold the same way before its statement.
 * Lock order is always hold -> account (reserve claims its new hold row before the account); rows that reference an account take FOR KEY SHARE, which does
 * not conflict with the FOR NO KEY UPDATE an UPDATE of the counters takes, so nothing deadlocks.
 * The overdraft guard is a WHERE that Postgres re-checks against the newest row version.
 */

type Executor = Kysely<Database>;

export type EntryRow = {
  account_id: number;
  hold_id: string | null;
  kind: EntryKind;
  amount: number;
  balance_after: number;
  held_after: number;
  fingerprint: string;
};

export type EntryInput = { key: string; fingerprint: string; memo: string | null; now: Date };

export async function findEntryByKey(db: Executor, key: string): Promise<EntryRow | undefined> {
  return db
    .selectFrom('ledger_entries')
    .select(['account_id', 'hold_id', 'kind', 'amount', 'balance_after', 'held_after', 'fingerprint'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/**
 * Serialises the ceiling-checked grants of one workspace until the transaction ends. An advisory lock, not
 * a row lock: it takes no lock any other ledger or design transaction waits for, so it adds no lock order.
 */
export async function lockWorkspaceGrants(db: Executor, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`facet-grants:${workspaceId}`}))`.execute(db);
}

/** Credits granted in a workspace since `since` under keys starting with `keyPrefix`. */
export async function sumGrantsSince(
  db: Executor,
  query: { workspaceId: string; since: Date; keyPrefix: string },
): Promise<number> {
  const result = await sql<{ total: string | null }>`
    select sum(e.amount) as total
    from ledger_entries e join credit_accounts a on a.id = e.account_id
    where a.workspace_id = ${query.workspaceId} and e.kind = 'grant' and e.created_at >= ${query.since}
      and starts_with(e.idempotency_key, ${query.keyPrefix})`.execute(db);
  return Number(result.rows[0]?.total ?? 0);
}

/** Creates the account with its starter grant in one statement; returns its id either way. */
export async function ensureAccount(
  db: Executor,
  workspaceId: string,
  userId: string,
  starterCredits: number,
  now: Date,
): Promise<number | undefined> {
  const key = `starter:${workspaceId}:${userId}`;
  const result = await sql<{ id: number }>`
    with inserted as (
      insert into credit_accounts (workspace_id, user_id, posted_credits, created_at)
      values (${workspaceId}, ${userId}, ${starterCredits}, ${now})
      on conflict (workspace_id, user_id) do nothing
      returning id
    ), starter as (
      insert into ledger_entries (account_id, kind, amount, balance_delta, held_delta, balance_after,
                                  held_after, idempotency_key, fingerprint, memo, created_at)
      select id, 'grant', ${starterCredits}, ${starterCredits}, 0, ${starterCredits}, 0, ${key},
             ${`grant|${workspaceId}|${userId}|${starterCredits}`}, 'Starter credits', ${now}
      from inserted where ${starterCredits} > 0
    )
    select id from inserted
    union all
    select id from credit_accounts where workspace_id = ${workspaceId} and user_id = ${userId}`.execute(db);
  return result.rows[0]?.id;
}

export async function grantStatement(db: Executor, accountId: number, amount: number, entry: EntryInput) {
  const result = await sql<EntryRow>`
    with account as (
      update credit_accounts set posted_credits = posted_credits + ${amount}
      where id = ${accountId}
      returning id, posted_credits - posted_debits as balance, pending_debits as held
    )
    insert into ledger_entries (account_id, kind, amount, balance_delta, held_delta, balance_after,
                                held_after, idempotency_key, fingerprint, memo, created_at)
    select id, 'grant', ${amount}, ${amount}, 0, balance, held, ${entry.key}, ${entry.fingerprint},
           ${entry.memo}, ${entry.now}
    from account
    returning account_id, hold_id, kind, amount, balance_after, held_after, fingerprint`.execute(db);
  return result.rows[0];
}

/** Creates an active hold if the account has the credits (migrations/0002: ledger_reserve). */
export async function reserveStatement(
  db: Executor,
  accountId: number,
  subject: string,
  amount: number,
  expiresAt: Date | null,
  entry: EntryInput,
) {
  const result = await sql<EntryRow>`
    select * from ledger_reserve(${accountId}, ${subject}, ${amount}, ${expiresAt}::timestamptz, ${entry.key},
                                 ${entry.fingerprint}, ${entry.memo}, ${entry.now})`.execute(db);
  return result.rows[0];
}

/** Takes the hold's row lock before any other write, so every operation locks hold -> account. Call inside a transaction. */
export async function lockActiveHold(db: Executor, holdId: string): Promise<boolean> {
  const result = await sql<{ id: string }>`
    select id from credit_holds where id = ${holdId} and status = 'active' for no key update`.execute(db);
  return result.rows.length > 0;
}

export async function extendStatement(
  db: Executor,
  holdId: string,
  amount: number,
  expiresAt: Date | null,
  entry: EntryInput,
) {
  const result = await sql<EntryRow>`
    with account as (
      update credit_accounts a set pending_debits = a.pending_debits + ${amount}
      from credit_holds h
      where h.id = ${holdId} and h.status = 'active' and a.id = h.account_id
        and a.posted_credits - a.posted_debits - a.pending_debits >= ${amount} -- overdraft guard
      returning a.id, a.posted_credits - a.posted_debits as balance, a.pending_debits as held
    ), hold as (
      update credit_holds set amount = amount + ${amount}, expires_at = coalesce(${expiresAt}, expires_at)
      from account
      where credit_holds.id = ${holdId} and credit_holds.status = 'active'
      returning credit_holds.id
    )
    insert into ledger_entries (account_id, hold_id, kind, amount, balance_delta, held_delta,
                                balance_after, held_after, idempotency_key, fingerprint, memo, created_at)
    select account.id, hold.id, 'extend', ${amount}, 0, ${amount}, account.balance, account.held,
           ${entry.key}, ${entry.fingerprint}, ${entry.memo}, ${entry.now}
    from account, hold
    returning account_id, hold_id, kind, amount, balance_after, held_after, fingerprint`.execute(db);
  return result.rows[0];
}

/** Capture, release or expire: settles an active hold exactly once (migrations/0002: ledger_settle). */
export async function settleStatement(
  db: Executor,
  how: 'capture' | 'release' | 'expire',
  holdId: string,
  expectedAmount: number | null,
  entry: EntryInput,
) {
  const result = await sql<EntryRow>`
    select * from ledger_settle(${holdId}, ${how}, ${expectedAmount}::integer, ${entry.key},
                                ${entry.fingerprint}, ${entry.memo}, ${entry.now})`.execute(db);
  return result.rows[0];
}

export type HoldRow = {
  id: string;
  account_id: number;
  status: HoldStatus;
  amount: number;
  expires_at: Date | null;
};

export async function findHold(db: Executor, holdId: string): Promise<HoldRow | undefined> {
  return db
    .selectFrom('credit_holds')
    .select(['id', 'account_id', 'status', 'amount', 'expires_at'])
    .where('id', '=', holdId)
    .executeTakeFirst();
}

export async function dueHoldIds(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('credit_holds')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
