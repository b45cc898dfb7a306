import type { Kysely } from 'kysely';
import type { Database, DesignState } from '../storage/schema.ts';
import { auditDesign, type DesignAudit } from './design-audit.ts';
import {
  designInWorkspace,
  findDesignByCardMessage,
  listLatestDesignIds,
  listRecentDesigns,
} from './store/workspace-statements.ts';

export type DesignHistoryEntry = {
  id: string;
  prompt: string;
  state: DesignState;
  iteration: number;
  /** Credits reserved for it now (0 once charged or returned). */
  held: number;
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
    const rows = await listRecentDesigns(this.db, query);
    return rows.map((row) => ({
      id: row.id,
      prompt: row.prompt,
      state: row.state,
      iteration: row.iteration,
      held: row.held,
      charged: row.charged,
      createdAt: new Date(row.created_at),
      surface: row.surface,
    }));
  }

  /** The ids of a workspace's newest designs, oldest of them first. */
  async latestIds(workspaceId: string, limit: number): Promise<string[]> {
    return (await listLatestDesignIds(this.db, workspaceId, limit)).reverse();
  }

  /**
   * One design's record for `/design history N`: each iteration with who asked for what, the decision,
   * the credits from the ledger and the model time. Undefined when it is not the workspace's.
   */
  async detail(workspaceId: string, designId: string): Promise<DesignAudit | undefined> {
    return auditDesign(this.db, { workspaceId, designId });
  }

  /** Ids in buttons can be forged: a design is only acted on from the workspace it belongs to. */
  async contains(workspaceId: string, designId: string): Promise<boolean> {
    return designInWorkspace(this.db, workspaceId, designId);
  }

  /**
   * The workspace's design whose card is this message (a reply's thread names its card: Slack's thread
   * ts, Discord's thread id, which is the card message's). Undefined for any other thread.
   */
  async byCardMessage(card: {
    workspaceId: string;
    platform: 'slack' | 'discord';
    messageId: string;
    /** Where message ids are unique only within a channel (Slack). */
    channelId?: string | undefined;
  }): Promise<string | undefined> {
    const { channelId, ...rest } = card;
    return findDesignByCardMessage(this.db, channelId === undefined ? rest : { ...rest, channelId });
  }
}
