import type { Kysely } from 'kysely';
import type { Database, DesignState } from '../storage/schema.ts';

export type DesignHistoryEntry = {
  id: string;
  prompt: string;
  state: DesignState;
  iteration: number;
  charged: number;
  createdAt: Date;
  /** Where the surface showed it (e.g. the Slack channel and message), for links. */
  surface: Record<string, unknown>;
};

/** A user's most recent designs in a workspace, newest first. */
export async function recentDesigns(
  db: Kysely<Database>,
  query: { workspaceId: string; requesterId: string; limit?: number },
): Promise<DesignHistoryEntry[]> {
  const rows = await db
    .selectFrom('designs')
    .select(['id', 'prompt', 'state', 'iteration', 'charged', 'created_at', 'surface'])
    .where('workspace_id', '=', query.workspaceId)
    .where('requester_id', '=', query.requesterId)
    .orderBy('created_at', 'desc')
    .limit(query.limit ?? 10)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    prompt: row.prompt,
    state: row.state,
    iteration: row.iteration,
    charged: row.charged,
    createdAt: new Date(row.created_at),
    surface: row.surface,
  }));
}
