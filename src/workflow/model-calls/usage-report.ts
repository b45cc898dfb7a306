import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, ModelCallPurpose } from '../../storage/schema.ts';

/** What a usage report adds up by. */
export const usageGroupings = ['workspace', 'user', 'model', 'purpose', 'day'] as const;
export type UsageGrouping = (typeof usageGroupings)[number];

export type UsageQuery = {
  /** One workspace (its id in `workspaces`); all of them when left out. */
  workspaceId?: string | undefined;
  since: Date;
  by: UsageGrouping;
};

export type UsageRow = {
  /**
   * workspace: `platform:external_id`, then ` (name)` when it has one; user: the requester's platform id,
   * as `platform:external_id/user` when the report covers every workspace; model; purpose; day: YYYY-MM-DD
   * (UTC).
   */
  key: string;
  calls: number;
  images: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Share of the calls whose outcome is not ok, 0..1. */
  failureRate: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
};

export type PurposeLatency = {
  purpose: ModelCallPurpose;
  calls: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
};

export type RequesterMonth = { userId: string; designs: number; costUsd: number };

export type WorkspaceMonth = {
  /** Designs created in the month (from `designs`), whether or not they reached a model. */
  designs: number;
  images: number;
  costUsd: number;
  /** The five who spent the most, then who started the most designs. */
  topRequesters: RequesterMonth[];
};

// The same figures whatever the grouping; percentile_cont interpolates, so a median is exact ms or a half.
const aggregates = {
  calls: sql<string | number>`count(*)`,
  images: sql<string | number>`coalesce(sum(mc.images), 0)`,
  tokensIn: sql<string | number>`coalesce(sum(mc.tokens_in), 0)`,
  tokensOut: sql<string | number>`coalesce(sum(mc.tokens_out), 0)`,
  costMicroUsd: sql<string | number>`coalesce(sum(mc.cost_microusd), 0)`,
  failures: sql<string | number>`count(*) filter (where mc.outcome <> 'ok')`,
  p50: sql<number>`percentile_cont(0.5) within group (order by mc.latency_ms)`,
  p95: sql<number>`percentile_cont(0.95) within group (order by mc.latency_ms)`,
};

const workspaceLabel = sql<string>`w.platform || ':' || w.external_id`;

function keyOf(by: UsageGrouping, oneWorkspace: boolean): RawBuilder<string> {
  switch (by) {
    case 'workspace':
      return sql<string>`${workspaceLabel} || coalesce(' (' || w.name || ')', '')`;
    case 'user':
      return oneWorkspace
        ? sql<string>`mc.requester_id`
        : sql<string>`${workspaceLabel} || '/' || mc.requester_id`;
    case 'model':
      return sql<string>`mc.model`;
    case 'purpose':
      return sql<string>`mc.purpose`;
    case 'day':
      // In UTC whatever the session's time zone: days match the budgets' days.
      return sql<string>`to_char(mc.started_at at time zone 'UTC', 'YYYY-MM-DD')`;
  }
}

/** Calls, images, tokens, estimated cost, failure rate and latency since a moment, by one grouping. */
export async function usageReport(db: Kysely<Database>, query: UsageQuery): Promise<UsageRow[]> {
  const key = keyOf(query.by, query.workspaceId !== undefined);
  const rows = await db
    .selectFrom('model_calls as mc')
    .innerJoin('workspaces as w', 'w.id', 'mc.workspace_id')
    .select([
      key.as('key'),
      aggregates.calls.as('calls'),
      aggregates.images.as('images'),
      aggregates.tokensIn.as('tokens_in'),
      aggregates.tokensOut.as('tokens_out'),
      aggregates.costMicroUsd.as('cost'),
      aggregates.failures.as('failures'),
      aggregates.p50.as('p50'),
      aggregates.p95.as('p95'),
    ])
    .where(scope(query))
    .groupBy(key)
    .orderBy(query.by === 'day' ? key : sql`sum(mc.cost_microusd)`, query.by === 'day' ? 'asc' : 'desc')
    .orderBy(key)
    .execute();
  return rows.map((row) => {
    const calls = Number(row.calls);
    return {
      key: row.key,
      calls,
      images: Number(row.images),
      tokensIn: Number(row.tokens_in),
      tokensOut: Number(row.tokens_out),
      costUsd: usd(row.cost),
      failureRate: calls === 0 ? 0 : Number(row.failures) / calls,
      latencyP50Ms: Math.round(row.p50),
      latencyP95Ms: Math.round(row.p95),
    };
  });
}

const purposeOrder: readonly ModelCallPurpose[] = ['front', 'edit', 'view', 'view_edit', 'features'];

/** Latency per purpose (front, edit, view, view_edit, features, in the order a design makes them). */
export async function latencyByPurpose(
  db: Kysely<Database>,
  query: Omit<UsageQuery, 'by'>,
): Promise<PurposeLatency[]> {
  const rows = await db
    .selectFrom('model_calls as mc')
    .select(['mc.purpose', aggregates.calls.as('calls'), aggregates.p50.as('p50'), aggregates.p95.as('p95')])
    .where(scope(query))
    .groupBy('mc.purpose')
    .execute();
  return rows
    .map((row) => ({
      purpose: row.purpose,
      calls: Number(row.calls),
      latencyP50Ms: Math.round(row.p50),
      latencyP95Ms: Math.round(row.p95),
    }))
    .sort((a, b) => purposeOrder.indexOf(a.purpose) - purposeOrder.indexOf(b.purpose));
}

/**
 * A workspace's calendar month (UTC) for `/design usage`: designs created in it, images and estimated cost
 * of the calls made in it, and the top five requesters by cost.
 */
export async function workspaceMonth(
  db: Kysely<Database>,
  query: { workspaceId: string; monthStart: Date },
): Promise<WorkspaceMonth> {
  const start = new Date(Date.UTC(query.monthStart.getUTCFullYear(), query.monthStart.getUTCMonth(), 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const requesters = await db
    .with('d', (qb) =>
      qb
        .selectFrom('designs')
        .select(['requester_id', sql<string | number>`count(*)`.as('designs')])
        .where('workspace_id', '=', query.workspaceId)
        .where('created_at', '>=', start)
        .where('created_at', '<', end)
        .groupBy('requester_id'),
    )
    .with('c', (qb) =>
      qb
        .selectFrom('model_calls')
        .select([
          'requester_id',
          sql<string | number>`sum(images)`.as('images'),
          sql<string | number>`sum(cost_microusd)`.as('cost'),
        ])
        .where('workspace_id', '=', query.workspaceId)
        .where('started_at', '>=', start)
        .where('started_at', '<', end)
        .groupBy('requester_id'),
    )
    .selectFrom('d')
    .fullJoin('c', 'c.requester_id', 'd.requester_id')
    .select([
      sql<string>`coalesce(d.requester_id, c.requester_id)`.as('user_id'),
      sql<string | number>`coalesce(d.designs, 0)`.as('designs'),
      sql<string | number>`coalesce(c.images, 0)`.as('images'),
      sql<string | number>`coalesce(c.cost, 0)`.as('cost'),
    ])
    .execute();
  const all = requesters.map((row) => ({
    userId: row.user_id,
    designs: Number(row.designs),
    images: Number(row.images),
    costMicroUsd: Number(row.cost),
  }));
  const top = [...all]
    .sort(
      (a, b) => b.costMicroUsd - a.costMicroUsd || b.designs - a.designs || (a.userId < b.userId ? -1 : 1),
    )
    .slice(0, 5);
  return {
    designs: all.reduce((sum, row) => sum + row.designs, 0),
    images: all.reduce((sum, row) => sum + row.images, 0),
    costUsd: usd(all.reduce((sum, row) => sum + row.costMicroUsd, 0)),
    topRequesters: top.map((row) => ({
      userId: row.userId,
      designs: row.designs,
      costUsd: usd(row.costMicroUsd),
    })),
  };
}

/**
 * Estimated cost of each design, in US dollars (0 for one that made no call). The table is indexed by
 * workspace and time, not by design: each design's calls are looked for among its workspace's calls from
 * its creation on, with an hour's allowance for clocks of different machines.
 */
export async function designCosts(
  db: Kysely<Database>,
  designIds: readonly string[],
): Promise<Map<string, number>> {
  const costs = new Map(designIds.map((id) => [id, 0]));
  if (designIds.length === 0) return costs;
  const rows = await db
    .selectFrom('designs as d')
    .innerJoin('model_calls as mc', (join) =>
      join
        .onRef('mc.workspace_id', '=', 'd.workspace_id')
        .on(sql<SqlBool>`mc.started_at >= d.created_at - interval '1 hour'`)
        .onRef('mc.design_id', '=', 'd.id'),
    )
    .select(['d.id', sql<string | number>`sum(mc.cost_microusd)`.as('cost')])
    .where('d.id', 'in', [...new Set(designIds)])
    .groupBy('d.id')
    .execute();
  for (const row of rows) costs.set(row.id, usd(row.cost));
  return costs;
}

function scope(query: Omit<UsageQuery, 'by'>) {
  return sql<SqlBool>`mc.started_at >= ${query.since}${
    query.workspaceId === undefined ? sql`` : sql` and mc.workspace_id = ${query.workspaceId}`
  }`;
}

/** Sums of millionths are exact integers; one division gives the nearest dollar figure. */
const usd = (microUsd: string | number): number => Number(microUsd) / 1_000_000;
