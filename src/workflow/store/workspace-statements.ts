import { sql, type Kysely } from 'kysely';
import type { Database, Workspace } from '../../storage/schema.ts';

/*
 * Reads by workspace: its row (the prices a new design is made at) and its designs as the chat layer
 * lists them (WorkspaceDesigns). Finding and creating workspaces by platform id is storage/workspaces.ts.
 */

type Executor = Kysely<Database>;

/** What a design's hold will charge while it is live (joined as credit_holds); nothing once settled. */
export const heldCredits = sql<number>`case when credit_holds.status = 'active' then designs.hold_amount else 0 end`;

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
    .leftJoin('credit_holds', 'credit_holds.id', 'designs.hold_id')
    .select([
      'designs.id',
      'designs.prompt',
      'designs.state',
      'designs.iteration',
      'designs.charged',
      'designs.created_at',
      'designs.surface',
      heldCredits.as('held'),
    ])
    .where('designs.workspace_id', '=', query.workspaceId)
    .where('designs.requester_id', '=', query.requesterId)
    .orderBy('designs.created_at', 'desc')
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

/** Where each platform keeps its card message's id in designs.surface, as migration 0018 indexes it. */
const cardMessagePaths = {
  slack: {
    shown: sql<boolean>`designs.surface ? 'slack'`,
    id: sql<string>`designs.surface -> 'slack' ->> 'ts'`,
  },
  discord: {
    shown: sql<boolean>`designs.surface ? 'discord'`,
    id: sql<string>`designs.surface -> 'discord' ->> 'messageId'`,
  },
} as const;

/**
 * The design of a workspace whose card is this message (in this channel, where message ids are only
 * unique within one: Slack's ts).
 */
export async function findDesignByCardMessage(
  db: Executor,
  card: {
    workspaceId: string;
    platform: keyof typeof cardMessagePaths;
    messageId: string;
    channelId?: string;
  },
): Promise<string | undefined> {
  let query = db
    .selectFrom('designs')
    .select('id')
    .where('workspace_id', '=', card.workspaceId)
    .where(cardMessagePaths[card.platform].shown)
    .where(sql<boolean>`${cardMessagePaths[card.platform].id} = ${card.messageId}`);
  if (card.channelId !== undefined)
    query = query.where(
      sql<boolean>`designs.surface -> ${card.platform} ->> 'channelId' = ${card.channelId}`,
    );
  return (await query.executeTakeFirst())?.id;
}
