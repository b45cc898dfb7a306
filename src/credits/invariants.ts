import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export type LedgerTotals = {
  granted: number;
  captured: number;
  held: number;
  balance: number;
  accounts: number;
};

export type LedgerAudit = { violations: string[]; totals: LedgerTotals };

/**
 * Recomputes the ledger from its journal and compares it with the counters, in one snapshot (run it
 * while the ledger is busy: a consistent read must still balance). Returns every violation found.
 */
export async function auditLedger(db: Kysely<Database>): Promise<LedgerAudit> {
  const work = async (trx: Kysely<Database>): Promise<LedgerAudit> => {
    const violations: string[] = [];
    const report = (rows: { detail: string }[]) => violations.push(...rows.map((row) => row.detail));

    report(
      (
        await sql<{ detail: string }>`
          select format('account %s overdrawn: debits %s + pending %s > credits %s',
                        id, posted_debits, pending_debits, posted_credits) as detail
          from credit_accounts where posted_debits + pending_debits > posted_credits`.execute(trx)
      ).rows,
    );
    report(
      (
        await sql<{ detail: string }>`
          select format('account %s: counters (credits %s, debits %s, pending %s) differ from its journal (%s, %s, %s)',
                        a.id, a.posted_credits, a.posted_debits, a.pending_debits,
                        coalesce(j.credits, 0), coalesce(j.debits, 0), coalesce(j.held, 0)) as detail
          from credit_accounts a
          left join (
            select account_id,
                   sum(amount) filter (where kind = 'grant') as credits,
                   sum(amount) filter (where kind = 'capture') as debits,
                   sum(held_delta) as held
            from ledger_entries group by account_id
          ) j on j.account_id = a.id
          where a.posted_credits <> coalesce(j.credits, 0)
             or a.posted_debits <> coalesce(j.debits, 0)
             or a.pending_debits <> coalesce(j.held, 0)`.execute(trx)
      ).rows,
    );
    report(
      (
        await sql<{ detail: string }>`
          select format('account %s: held %s but its active holds sum to %s',
                        a.id, a.pending_debits, coalesce(h.active, 0)) as detail
          from credit_accounts a
          left join (select account_id, sum(amount) as active from credit_holds
                     where status = 'active' group by account_id) h on h.account_id = a.id
          where a.pending_debits <> coalesce(h.active, 0)`.execute(trx)
      ).rows,
    );
    report(
      (
        await sql<{ detail: string }>`
          select format('hold %s (%s, amount %s): reserved %s, %s settlement entries (%s)',
                        h.id, h.status, h.amount, coalesce(r.reserved, 0), coalesce(s.count, 0),
                        coalesce(s.kinds, '-')) as detail
          from credit_holds h
          left join (select hold_id, sum(amount) as reserved from ledger_entries
                     where kind in ('reserve', 'extend') group by hold_id) r on r.hold_id = h.id
          left join (select hold_id, count(*) as count, string_agg(kind || ':' || amount, ',') as kinds,
                            min(kind) as kind, min(amount) as amount
                     from ledger_entries where kind in ('capture', 'release', 'expire')
                     group by hold_id) s on s.hold_id = h.id
          where h.amount <> coalesce(r.reserved, 0)
             or (h.status = 'active' and s.count is not null)
             or (h.status <> 'active' and (s.count is distinct from 1 or s.amount <> h.amount
                 or s.kind <> case h.status when 'captured' then 'capture'
                                            when 'released' then 'release' else 'expire' end))`.execute(trx)
      ).rows,
    );
    const totals = (
      await sql<LedgerTotals>`
        select coalesce(sum(posted_credits), 0)::integer as granted,
               coalesce(sum(posted_debits), 0)::integer as captured,
               coalesce(sum(pending_debits), 0)::integer as held,
               coalesce(sum(posted_credits - posted_debits), 0)::integer as balance,
               count(*)::integer as accounts
        from credit_accounts`.execute(trx)
    ).rows[0] ?? { granted: 0, captured: 0, held: 0, balance: 0, accounts: 0 };
    if (totals.balance + totals.captured !== totals.granted) {
      violations.push(
        `credits not conserved: balance ${totals.balance} + captured ${totals.captured} <> granted ${totals.granted}`,
      );
    }
    return { violations, totals };
  };
  return db.isTransaction
    ? work(db)
    : db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}
