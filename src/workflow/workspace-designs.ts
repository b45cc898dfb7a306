import type { Kysely } from 'kysely';
import type { Database, DesignState } from '../storage/schema.ts';

export type DesignHistoryEntry = {
  id: string;
  prompt: string;
  state: DesignState;
  iteration: number;
  charged: number;
  createdAt: Date;
  /** Where the platform showed it (e.g. the Slack channel and message), for links. */
  surface: Record<string, unknown>;
};

/** Reads of a workspace's designs that the chat layer needs, by name rather than by query. */
export class WorkspaceDesigns {
  constructor(private readonly db: Kysely<Database>) {}

  /** A member's most recent designs in a workspace, newest first. */
  async recent(query: {
    workspaceId: string;
    requesterId: string;
    limit: number;
  }): Promise<DesignHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('designs')
      .select(['id', 'prompt', 'state', 'iteration', 'charged', 'created_at', 'surface'])
      .where('workspace_id', '=', query.workspaceId)
      .where('requester_id', '=', query.requesterId)
      .orderBy('created_at', 'desc')
      .limit(query.limit)
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

  /** The ids of a workspace's newest designs, oldest of them first. */
  async latestIds(workspaceId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('designs')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id).reverse();
  }

  /** Ids in buttons can be forged: a design is only acted on from the workspace it belongs to. */
  async contains(workspaceId: string, designId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('designs')
      .select('id')
      .where('id', '=', designId)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
