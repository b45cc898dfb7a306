import type { Kysely } from 'kysely';
import type { Platform } from '../platform.ts';
import type { ApprovalNotices, Database, Workspace } from './schema.ts';

/** The workspace row for a platform's team or guild, if Facet has seen it (no row is created). */
export function findWorkspace(
  db: Kysely<Database>,
  platform: Platform,
  externalId: string,
): Promise<Workspace | undefined> {
  return db
    .selectFrom('workspaces')
    .selectAll()
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/**
 * The workspace row for a platform's team or guild, created on first sight. Every command reads it, so
 * the common case (it exists) is one query; settings are never cached.
 */
export async function ensureWorkspace(
  db: Kysely<Database>,
  platform: Platform,
  externalId: string,
  name?: string,
): Promise<Workspace> {
  const existing = await findWorkspace(db, platform, externalId);
  if (existing) return existing;
  const inserted = await db
    .insertInto('workspaces')
    .values({ platform, external_id: externalId, name: name ?? null })
    .onConflict((conflict) => conflict.columns(['platform', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  // Created by a concurrent first request between our read and insert.
  const raced = await findWorkspace(db, platform, externalId);
  if (!raced) throw new Error(`workspace ${platform}:${externalId} vanished right after being created`);
  return raced;
}

/** Who approves, what designs cost in credits, and the monthly AI budget in US cents (null: the default). */
export type WorkspaceSettings = {
  approverGroup: string | null;
  prices: { design: number; variation: number; edit: number };
  monthlyBudgetCents: number | null;
  /** Whether requesters approve their own designs; null: the default (only without an approver group). */
  requestersApprove: boolean | null;
  /** How approvers are asked: in the card's thread, or by direct message (Slack). */
  approvalNotices: ApprovalNotices;
  /** Front-view candidates: the default and the most a person may ask for; left out, they stay. */
  candidates?: { default: number; max: number } | undefined;
  /** Replies in a card's thread as Request changes; left out: unchanged. */
  threadReplies?: boolean | undefined;
};

export async function updateWorkspaceSettings(
  db: Kysely<Database>,
  workspaceId: string,
  settings: WorkspaceSettings,
  savedBy: string,
): Promise<Workspace> {
  return db
    .updateTable('workspaces')
    .set({
      approver_group: settings.approverGroup,
      price_design: settings.prices.design,
      price_variation: settings.prices.variation,
      price_edit: settings.prices.edit,
      monthly_budget_cents: settings.monthlyBudgetCents,
      requesters_approve: settings.requestersApprove,
      approval_notices: settings.approvalNotices,
      ...(settings.candidates
        ? { candidates_default: settings.candidates.default, candidates_max: settings.candidates.max }
        : {}),
      ...(settings.threadReplies === undefined ? {} : { thread_replies: settings.threadReplies }),
      settings_saved_by: savedBy,
      updated_at: new Date(),
    })
    .where('id', '=', workspaceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
