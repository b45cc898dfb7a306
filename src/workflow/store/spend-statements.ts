import { sql, type Kysely } from 'kysely';
import type { Database, Workspace } from '../../storage/schema.ts';

type Executor = Kysely<Database>;

/** Estimated spend since a moment, in millionths of a dollar: one workspace's, or everyone's. */
export async function spentSince(
  db: Executor,
  query: { workspaceId?: string | undefined; since: Date },
): Promise<number> {
  let select = db
    .selectFrom('model_calls')
    .select(sql<string | null>`sum(cost_microusd)`.as('spent'))
    .where('started_at', '>=', query.since);
  if (query.workspaceId !== undefined) select = select.where('workspace_id', '=', query.workspaceId);
  const row = await select.executeTakeFirst();
  return Number(row?.spent ?? 0);
}

/** The workspaces' rows whose budgets are looked at, by id. */
export async function findWorkspacesByIds(db: Executor, ids: readonly string[]): Promise<Workspace[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('workspaces')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Records that a workspace was told of a level this month; false when it had been already. */
export async function claimBudgetNotice(
  db: Executor,
  notice: {
    workspaceId: string;
    month: string;
    level: 80 | 100;
    designId: string;
    spentMicroUsd: number;
    capCents: number;
  },
): Promise<boolean> {
  const row = await db
    .insertInto('budget_notices')
    .values({
      workspace_id: notice.workspaceId,
      month: notice.month,
      level: notice.level,
      design_id: notice.designId,
      spent_microusd: notice.spentMicroUsd,
      cap_cents: notice.capCents,
    })
    .onConflict((conflict) => conflict.columns(['workspace_id', 'month', 'level']).doNothing())
    .returning('level')
    .executeTakeFirst();
  return row !== undefined;
}
