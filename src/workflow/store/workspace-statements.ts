import type { Kysely } from 'kysely';
import type { Database, Workspace } from '../../storage/schema.ts';

/*
 * Reads by workspace: its row (the prices a new design is made at) and its designs as the chat layer
 * lists them (WorkspaceDesigns). Finding and creating workspaces by platform id is storage/workspaces.ts.
 */

type Executor = Kysely<Database>;

/** A workspace's row by its id, unlocked. */
export async function findWorkspaceById(db: Executor, workspaceId: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst();
}

/** A member's most recent designs in a workspace, newest first. */
export async function listRecentDesigns(
  db: Executor,
  query: { workspaceId: string; requesterId: string; limit: number },
) {
  return db
    .selectFrom('designs')
    .select(['id', 'prompt', 'state', 'iteration', 'charged', 'created_at', 'surface'])
    .where('workspace_id', '=', query.workspaceId)
    .where('requester_id', '=', query.requesterId)
    .orderBy('created_at', 'desc')
    .limit(query.limit)
    .execute();
}

/** The ids of a workspace's newest designs, newest first. */
export async function listLatestDesignIds(
  db: Executor,
  workspaceId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('designs')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Whether a design belongs to a workspace. */
export async function designInWorkspace(
  db: Executor,
  workspaceId: string,
  designId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('designs')
    .select('id')
    .where('id', '=', designId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row !== undefined;
}
