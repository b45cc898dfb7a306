import type { Kysely } from 'kysely';
import type { ApprovalNotices, Database, DesignState } from '../storage/schema.ts';
import type { ApprovalPolicy } from './actor.ts';
import { placeInLine, type PlaceInLine } from './admission/place-in-line.ts';
import { productFeaturesSchema, type ProductFeatures } from './product-features.ts';
import { findSnapshotRow } from './store/snapshot-statements.ts';
import type { ViewName } from './views.ts';

export type ViewSnapshot = {
  view: ViewName;
  state: 'pending' | 'generating' | 'done' | 'failed';
  imageKey: string | null;
  attempts: number;
  /** The round that last (re)generated this view: an "Edit view" regenerates one view in a new round. */
  round: number;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
};

export type IterationSnapshot = {
  iteration: number;
  preset: string | null;
  feedback: string | null;
  imageKey: string | null;
  features: ProductFeatures | null;
  requestedBy: string;
  createdAt: Date;
  completedAt: Date | null;
  /** Its front-view candidates stored so far, in order (one when the design draws one). */
  candidates: CandidateSnapshot[];
  /** The candidate picked (1-based): `imageKey` is its image. Null until someone picks. */
  picked: number | null;
};

export type CandidateSnapshot = { candidate: number; imageKey: string };

/** Everything a card shows, read in one go from the database: cards are a pure function of this. */
export type DesignSnapshot = {
  id: string;
  workspaceId: string;
  requesterId: string;
  prompt: string;
  kind: 'design' | 'variation';
  parentDesignId: string | null;
  /** The image it was started from (a sketch or photo), by image-store key; null without one. */
  inputImageKey: string | null;
  state: DesignState;
  iteration: number;
  round: number;
  version: number;
  basePrice: number;
  editPrice: number;
  /** Front-view candidates drawn in every round (1-4); each after the first costs `editPrice`. */
  candidates: number;
  /** Credits the current hold will capture; 0 once settled. */
  held: number;
  charged: number;
  holdExpiresAt: Date | null;
  approvedBy: string | null;
  approvedAt: Date | null;
  /** Who turned which iteration down, and why (state `declined`). */
  declined: { by: string; at: Date; reason: string } | null;
  /** An admin revoked the design page's links: the card offers none (revoked links stay dead). */
  pageLinksRevoked: boolean;
  /** The workspace's approval rule now: who the card says may approve, and whether approvers are asked. */
  approval: ApprovalPolicy;
  /** How the workspace's approvers are asked: in the card's thread, or by direct message (Slack). */
  approvalNotices: ApprovalNotices;
  /**
   * Bumped by every new hold (the start, a retry, an edit of a view): one failure is told apart from the
   * next, which follows a retry.
   */
  holdSeq: number;
  failure: { kind: string; message: string; phase: 'front' | 'views' | 'finalize' | null } | null;
  /**
   * designs.surface: where each platform shows the design's card, by platform name, in the platform's
   * own words (Slack's channel and ts, Discord's channel and message id). The workflow keeps it and never
   * reads it; "surface" means this and nothing else in the code.
   */
  surface: Record<string, unknown>;
  iterations: IterationSnapshot[];
  views: ViewSnapshot[];
  revision: {
    number: number;
    imageKeys: Record<string, string>;
    contactSheetKey: string | null;
    /** The spec sheet PNG, for the thread; its PDF is on the design page. */
    specSheetKey: string | null;
  } | null;
  /** When it left the line; null while waiting (and for designs made before there was a line). */
  admittedAt: Date | null;
  /** Only while waiting in line (state `queued`). */
  queue: PlaceInLine | null;
  /**
   * While a phase generates (front view, or the other views): how long it usually takes in this
   * workspace, in seconds; null when Facet has not seen enough of it yet.
   */
  typicalSeconds: number | null;
  /**
   * When one of this design's model calls took its workspace past 80% or 100% of its monthly AI budget:
   * the highest level, told on this card only (once per level and month).
   */
  budgetNotice: { level: 80 | 100; month: string; spentUsd: number; capUsd: number } | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
};

const viewOrder: Record<ViewName, number> = { front: 0, back: 1, side: 2, top: 3, bottom: 4 };

/** One round trip (two for a design waiting in line): the snapshot is read after every change, often by many designs at once. */
export async function loadSnapshot(
  db: Kysely<Database>,
  designId: string,
): Promise<DesignSnapshot | undefined> {
  const design = await findSnapshotRow(db, designId);
  if (!design) return undefined;
  const { iteration_rows: iterations, view_rows: views, candidate_rows: candidates, revision } = design;
  const holdActive = design.hold_status === 'active';
  const queue =
    design.state === 'queued'
      ? await placeInLine(db, {
          id: design.id,
          workspaceId: design.workspace_id,
          createdAt: design.created_at,
        })
      : null;
  return {
    id: design.id,
    workspaceId: design.workspace_id,
    requesterId: design.requester_id,
    prompt: design.prompt,
    kind: design.kind,
    parentDesignId: design.parent_design_id,
    inputImageKey: design.input_image_key,
    state: design.state,
    iteration: design.iteration,
    round: design.round,
    version: design.version,
    basePrice: design.base_price,
    editPrice: design.edit_price,
    candidates: design.candidates,
    held: holdActive ? design.hold_amount : 0,
    charged: design.charged,
    holdExpiresAt: holdActive ? design.hold_expires_at : null,
    approvedBy: design.approved_by,
    approvedAt: design.approved_at,
    declined:
      design.declined_by === null || design.declined_at === null
        ? null
        : { by: design.declined_by, at: design.declined_at, reason: design.decline_reason ?? '' },
    approval: { approverGroup: design.approver_group, requestersApprove: design.requesters_approve },
    pageLinksRevoked: Boolean(design.page_links_revoked),
    approvalNotices: design.approval_notices,
    holdSeq: design.hold_seq,
    failure:
      design.failure_kind === null
        ? null
        : { kind: design.failure_kind, message: design.failure_message ?? '', phase: design.failed_phase },
    surface: design.surface,
    iterations: iterations.map((row) => ({
      iteration: row.iteration,
      preset: row.preset,
      feedback: row.feedback,
      imageKey: row.image_key,
      features: parseFeatures(row.features),
      requestedBy: row.requested_by,
      createdAt: toDate(row.created_at),
      completedAt: toNullableDate(row.completed_at),
      candidates: candidates
        .filter((candidate) => candidate.iteration === row.iteration)
        .map((candidate) => ({ candidate: candidate.candidate, imageKey: candidate.image_key })),
      picked: row.picked,
    })),
    views: views
      .map((row) => ({
        view: row.view,
        state: row.state,
        imageKey: row.image_key,
        attempts: row.attempts,
        round: row.round,
        error: row.error,
        startedAt: toNullableDate(row.started_at),
        finishedAt: toNullableDate(row.finished_at),
      }))
      .sort((a, b) => viewOrder[a.view] - viewOrder[b.view]),
    revision: revision
      ? {
          number: revision.number,
          imageKeys: revision.image_keys,
          contactSheetKey: revision.contact_sheet_key,
          specSheetKey: revision.spec_sheet_key,
        }
      : null,
    admittedAt: design.admitted_at,
    queue,
    typicalSeconds: design.typical_seconds,
    budgetNotice: design.budget_notice
      ? {
          level: design.budget_notice.level,
          month: design.budget_notice.month,
          spentUsd: Number(design.budget_notice.spent_microusd) / 1_000_000,
          capUsd: design.budget_notice.cap_cents / 100,
        }
      : null,
    createdAt: design.created_at,
    updatedAt: design.updated_at,
    finishedAt: design.finished_at,
  };
}

/** Features were validated when stored; a row that no longer parses is treated as not extracted. */
function parseFeatures(value: unknown): ProductFeatures | null {
  const parsed = productFeaturesSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

// Rows nested as JSON carry their timestamps as ISO strings, whatever their column types say.
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toNullableDate(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}
