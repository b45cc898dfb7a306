import type { Kysely } from 'kysely';
import type { Platform } from '../platform.ts';
import type { ApprovalNotices, Database, Workspace } from '../storage/schema.ts';
import { ensureWorkspace, findWorkspace, updateWorkspaceSettings } from '../storage/workspaces.ts';

export type { ApprovalNotices };

/** What a workspace charges, in credits. */
export type Prices = { design: number; variation: number; edit: number };

/**
 * Who approves (the group, and whether requesters approve their own designs; null: the default), what
 * designs cost, and the monthly AI budget in US cents (null: the operator's default).
 */
export type WorkspaceSettings = {
  approverGroup: string | null;
  requestersApprove: boolean | null;
  /** How approvers are asked: in the card's thread, or by direct message (Slack). */
  approvalNotices: ApprovalNotices;
  prices: Prices;
  monthlyBudgetCents: number | null;
  /** Front-view candidates per round: the default and the most a person may ask for; left out, they stay. */
  candidates?: CandidateSettings | undefined;
  /** Whether a reply in a card's thread is taken as Request changes; left out: unchanged. */
  threadReplies?: boolean | undefined;
};

/** How many front-view candidates a design draws when not told (`default`), and at most (`max`), 1-4. */
export type CandidateSettings = { default: number; max: number };

/** The most front-view candidates any workspace may allow (the card's Pick buttons fit one row). */
export const maxCandidates = 4;

/** A Slack team, Discord guild or the playground, as the chat layer sees it. */
export type WorkspaceInfo = {
  id: string;
  platform: Platform;
  /** The platform's own id: Slack team id, Discord guild id. */
  externalId: string;
  approverGroup: string | null;
  /** Whether requesters approve their own designs; null: the default (only without an approver group). */
  requestersApprove: boolean | null;
  approvalNotices: ApprovalNotices;
  prices: Prices;
  /** The workspace's own monthly AI budget in US cents; null: the operator's default. */
  monthlyBudgetCents: number | null;
  candidates: CandidateSettings;
  /** A reply in a card's thread by someone who may ask for changes is taken as Request changes. */
  threadReplies: boolean;
};

function infoOf(row: Workspace): WorkspaceInfo {
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.external_id,
    approverGroup: row.approver_group,
    requestersApprove: row.requesters_approve,
    approvalNotices: row.approval_notices,
    prices: { design: row.price_design, variation: row.price_variation, edit: row.price_edit },
    monthlyBudgetCents: row.monthly_budget_cents,
    candidates: { default: row.candidates_default, max: row.candidates_max },
    threadReplies: row.thread_replies,
  };
}

/** The workspaces Facet serves: found, created on first sight, and their settings. */
export class WorkspaceDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  /** Created on first sight: a command may come from a workspace Facet has never seen. */
  async ensure(platform: Platform, externalId: string, name?: string): Promise<WorkspaceInfo> {
    return infoOf(await ensureWorkspace(this.db, platform, externalId, name));
  }

  /**
   * Never created: a click or form can only come from a workspace that made a design, so an unknown
   * one is refused without a row being created for it.
   */
  async find(platform: Platform, externalId: string): Promise<WorkspaceInfo | undefined> {
    const row = await findWorkspace(this.db, platform, externalId);
    return row ? infoOf(row) : undefined;
  }

  /** `savedBy`: the admin who saved them. */
  async updateSettings(
    workspaceId: string,
    settings: WorkspaceSettings,
    savedBy: string,
  ): Promise<WorkspaceInfo> {
    return infoOf(await updateWorkspaceSettings(this.db, workspaceId, settings, savedBy));
  }
}
