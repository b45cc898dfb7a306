import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/** Which designs an audit covers: a workspace's designs created since a time, or one of its designs. */
export type AuditScope = { workspaceId: string; since?: Date | undefined; designId?: string | undefined };

function scopedDesignIds(db: Kysely<Database>, scope: AuditScope) {
  let query = db.selectFrom('designs').select('designs.id').where('workspace_id', '=', scope.workspaceId);
  if (scope.since !== undefined) query = query.where('created_at', '>=', scope.since);
  if (scope.designId !== undefined) query = query.where('id', '=', scope.designId);
  return query;
}

export function selectAuditDesigns(db: Kysely<Database>, scope: AuditScope) {
  return db
    .selectFrom('designs')
    .select([
      'id',
      'prompt',
      'kind',
      'state',
      'requester_id',
      'iteration',
      'hold_seq',
      'approved_by',
      'approved_at',
      'declined_by',
      'declined_at',
      'decline_reason',
      'failure_kind',
      'created_at',
      'finished_at',
    ])
    .where('id', 'in', scopedDesignIds(db, scope))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function selectAuditIterations(db: Kysely<Database>, scope: AuditScope) {
  return db
    .selectFrom('design_iterations')
    .select(['design_id', 'iteration', 'preset', 'feedback', 'requested_by', 'created_at', 'completed_at'])
    .where('design_id', 'in', scopedDesignIds(db, scope))
    .orderBy('design_id')
    .orderBy('iteration')
    .execute();
}

export type CreditTotalsRow = {
  design_id: string;
  held: number;
  captured: number;
  released: number;
  expired: number;
};

/**
 * Each hold of a design is the ledger subject design:<id>:<n> for n up to the design's hold_seq (a seq
 * whose phase cost nothing has no hold). Naming the subjects finds the holds by their unique index, with
 * a row estimate the planner can trust, instead of scanning every hold for a matching prefix.
 */
export async function selectAuditCredits(
  db: Kysely<Database>,
  designs: readonly { id: string; hold_seq: number }[],
): Promise<CreditTotalsRow[]> {
  const subjects = designs.flatMap((design) =>
    Array.from({ length: design.hold_seq }, (_, index) => `design:${design.id}:${index + 1}`),
  );
  const result = await sql<CreditTotalsRow>`
    select split_part(h.subject, ':', 2) as design_id,
           coalesce(sum(e.amount) filter (where e.kind in ('reserve', 'extend')), 0)::integer as held,
           coalesce(sum(e.amount) filter (where e.kind = 'capture'), 0)::integer as captured,
           coalesce(sum(e.amount) filter (where e.kind = 'release'), 0)::integer as released,
           coalesce(sum(e.amount) filter (where e.kind = 'expire'), 0)::integer as expired
    from credit_holds h
    join ledger_entries e on e.account_id = h.account_id and e.hold_id = h.id
    where h.subject = any(${subjects}::text[])
    group by 1`.execute(db);
  return result.rows;
}

export function selectAuditModelCalls(db: Kysely<Database>, scope: AuditScope) {
  // model_calls has no index on design_id, only on (workspace_id, started_at): a design's calls all start
  // after the design was created, so the earliest creation in scope bounds the scan of the workspace's calls.
  const earliest =
    scope.since ??
    sql<Date>`(select min(created_at) from designs where id in (${scopedDesignIds(db, scope)}))`;
  return db
    .selectFrom('model_calls')
    .select((eb) => [
      'design_id',
      eb.fn.countAll<string>().as('calls'),
      sql<string>`coalesce(sum(latency_ms), 0)`.as('latency_ms'),
      sql<string>`coalesce(sum(cost_microusd), 0)`.as('cost_microusd'),
    ])
    .where('workspace_id', '=', scope.workspaceId)
    .where('started_at', '>=', earliest)
    .where('design_id', 'in', scopedDesignIds(db, scope))
    .groupBy('design_id')
    .execute();
}
