import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

/*
 * How long a workspace's recent designs took per phase, for the card's "usually ready in about N s".
 * Each reads a bounded number of the workspace's newest designs through designs_workspace_recent.
 */

type Executor = Kysely<Database>;

export type PhaseTimes = { medianSeconds: number | null; samples: number };

/** Front views (first ones from leaving the line, edits from being asked for) of the newest designs. */
export async function recentFrontTimes(
  db: Executor,
  workspaceId: string,
  designs: number,
): Promise<PhaseTimes> {
  const result = await sql<{ median: number | null; samples: string }>`
    with recent as (
      select id, admitted_at from designs where workspace_id = ${workspaceId}
      order by created_at desc limit ${designs}
    )
    select percentile_cont(0.5) within group (order by extract(epoch from
             i.completed_at - greatest(i.created_at, coalesce(r.admitted_at, i.created_at)))::float8) as median,
           count(*) as samples
    from recent r join design_iterations i on i.design_id = r.id
    where i.completed_at is not null`.execute(db);
  return toTimes(result.rows[0]);
}

/** Approval to completion of the newest completed designs (their first round of views). */
export async function recentViewsTimes(
  db: Executor,
  workspaceId: string,
  designs: number,
): Promise<PhaseTimes> {
  const result = await sql<{ median: number | null; samples: string }>`
    select percentile_cont(0.5) within group (order by extract(epoch from finished_at - approved_at)::float8)
             as median,
           count(*) as samples
    from (
      select approved_at, finished_at from designs
      where workspace_id = ${workspaceId} and state = 'completed' and round = 1
        and approved_at is not null and finished_at is not null
      order by created_at desc limit ${designs}
    ) recent`.execute(db);
  return toTimes(result.rows[0]);
}

function toTimes(row: { median: number | null; samples: string } | undefined): PhaseTimes {
  return {
    medianSeconds: row?.median ?? null,
    samples: Number(row?.samples ?? 0),
  };
}
