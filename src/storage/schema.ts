import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Platform } from '../platform.ts';

/** How approvers are asked about a design waiting for them (workspaces.approval_notices). */
export type ApprovalNotices = 'thread' | 'direct';

/** Types of the tables in migrations/, as kysely sees them. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface WorkspacesTable {
  id: Generated<string>;
  platform: Platform;
  external_id: string;
  name: string | null;
  approver_group: string | null;
  price_design: Generated<number>;
  price_variation: Generated<number>;
  price_edit: Generated<number>;
  /** The workspace's own monthly AI budget in US cents; null: the operator's default. */
  monthly_budget_cents: Generated<number | null>;
  /** The admin who last saved the settings (told when the budget is nearly used). */
  settings_saved_by: Generated<string | null>;
  /** Whether requesters may approve their own designs; null: yes without an approver group, no with one. */
  requesters_approve: Generated<boolean | null>;
  /** How approvers are asked: a group mention in the card's thread, or a direct message to each member. */
  approval_notices: Generated<ApprovalNotices>;
  /** How many front-view candidates a design draws when the command does not say (1-4). */
  candidates_default: Generated<number>;
  /** The most front-view candidates a person may ask for (1-4). */
  candidates_max: Generated<number>;
  /** Whether a reply in a card's thread is taken as Request changes (migration 0018; off by default). */
  thread_replies: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CreditAccountsTable {
  id: Generated<number>;
  workspace_id: string;
  user_id: string;
  posted_credits: Generated<number>;
  posted_debits: Generated<number>;
  pending_debits: Generated<number>;
  created_at: Timestamp;
}

export type HoldStatus = 'active' | 'captured' | 'released' | 'expired';

export interface CreditHoldsTable {
  id: Generated<string>;
  account_id: number;
  subject: string;
  amount: number;
  status: HoldStatus;
  expires_at: Date | null;
  created_at: Date;
  settled_at: Date | null;
}

export type EntryKind = 'grant' | 'reserve' | 'extend' | 'capture' | 'release' | 'expire';

export interface LedgerEntriesTable {
  id: Generated<number>;
  account_id: number;
  hold_id: string | null;
  kind: EntryKind;
  amount: number;
  balance_delta: number;
  held_delta: number;
  balance_after: number;
  held_after: number;
  idempotency_key: string;
  fingerprint: string;
  memo: string | null;
  created_at: Date;
}

export type DesignState =
  | 'queued'
  | 'generating_front'
  | 'awaiting_approval'
  | 'generating_views'
  | 'finalizing'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'expired'
  | 'declined';

export interface DesignsTable {
  id: Generated<string>;
  workspace_id: string;
  requester_id: string;
  prompt: string;
  kind: 'design' | 'variation';
  parent_design_id: string | null;
  state: DesignState;
  iteration: Generated<number>;
  base_price: number;
  edit_price: number;
  hold_id: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  failure_kind: string | null;
  failure_message: string | null;
  surface: Json<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The newest version its chat card was updated to; null before the card exists. */
  shown_version: number | null;
  /** When it left the line and started generating; null while queued. */
  admitted_at: Date | null;
  finished_at: Date | null;
  round: Generated<number>;
  hold_seq: Generated<number>;
  hold_amount: Generated<number>;
  charged: Generated<number>;
  failed_phase: 'front' | 'views' | 'finalize' | null;
  request_key: string | null;
  declined_by: Generated<string | null>;
  declined_at: Generated<Date | null>;
  decline_reason: Generated<string | null>;
  /** The image the design was started from (a sketch or photo), re-encoded; null without one. */
  input_image_key: Generated<string | null>;
  /** Front-view candidates drawn in every round of this design (1-4), fixed at its start. */
  candidates: Generated<number>;
}

export interface DesignIterationsTable {
  design_id: string;
  iteration: number;
  preset: string | null;
  feedback: string | null;
  image_key: string | null;
  features: Json<unknown> | null;
  requested_by: string;
  created_at: Timestamp;
  completed_at: Date | null;
  /** The candidate picked (1-based); its image is `image_key`. Null until someone picks. */
  picked: Generated<number | null>;
}

/** One front-view candidate of an iteration (migration 0017). */
export interface FrontCandidatesTable {
  design_id: string;
  iteration: number;
  candidate: number;
  image_key: string;
  created_at: Generated<Date>;
}

export type ViewName = 'front' | 'back' | 'side' | 'top' | 'bottom';

export interface DesignViewsTable {
  design_id: string;
  view: ViewName;
  state: 'pending' | 'generating' | 'done' | 'failed';
  image_key: string | null;
  attempts: Generated<number>;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  round: Generated<number>;
  /** What the requester asked to change in this round's regenerated view (none: draw it again). */
  instruction: Generated<string | null>;
}

export interface RevisionsTable {
  id: Generated<string>;
  design_id: string;
  number: number;
  image_keys: Json<Record<string, string>>;
  contact_sheet_key: string | null;
  /**
   * The round's spec sheet PNG; its PDF is kept beside it once the design page has drawn it
   * (imageKeys.specSheetPdf).
   */
  spec_sheet_key: string | null;
  charged: number;
  approved_by: string | null;
  created_at: Timestamp;
}

export interface ChatPostsTable {
  design_id: string;
  key: string;
  message_ref: string | null;
  claimed_at: Timestamp;
}

export interface SlackInstallationsTable {
  id: Generated<number>;
  enterprise_id: Generated<string>;
  team_id: Generated<string>;
  installation: Json<unknown>;
  installed_at: Timestamp;
  updated_at: Timestamp;
}

export type ModelCallPurpose = 'front' | 'edit' | 'view' | 'view_edit' | 'features';
export type ModelCallOutcome = 'ok' | 'blocked' | 'no_image' | 'transient_error' | 'permanent_error';

export interface ModelCallsTable {
  id: Generated<string>;
  workspace_id: string;
  design_id: string;
  requester_id: string;
  provider: string;
  model: string;
  purpose: ModelCallPurpose;
  outcome: ModelCallOutcome;
  started_at: Date;
  latency_ms: number;
  tokens_in: number | null;
  tokens_out: number | null;
  images: number;
  /** bigint: pg reads it as a string. */
  cost_microusd: ColumnType<string, number, number>;
  priced_by: 'tokens' | 'images' | 'call' | 'unpriced';
}

export interface BudgetNoticesTable {
  workspace_id: string;
  /** YYYY-MM, UTC. */
  month: string;
  level: 80 | 100;
  design_id: string;
  spent_microusd: ColumnType<string, number, number>;
  cap_cents: number;
  given_at: Generated<Date>;
}

/** Design page links (migration 0011): absent row = generation 0, not revoked. */
export interface DesignLinksTable {
  design_id: string;
  generation: Generated<number>;
  revoked_at: Date | null;
  revoked_by: string | null;
}

export interface FacetMigrationsTable {
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

/** The newest token of a card reachable only with one (a Discord user install's; migration 0019). */
export interface CardTokensTable {
  card_ref: string;
  design_id: string;
  /** AES-256-GCM sealed; never stored or logged in clear. */
  sealed_token: string;
  /** What the token edits the card as (Discord: '@original', or the follow-up's id). */
  message_ref: string;
  expires_at: Date;
  updated_at: Timestamp;
}

export interface Database {
  workspaces: WorkspacesTable;
  credit_accounts: CreditAccountsTable;
  credit_holds: CreditHoldsTable;
  ledger_entries: LedgerEntriesTable;
  designs: DesignsTable;
  design_iterations: DesignIterationsTable;
  front_candidates: FrontCandidatesTable;
  design_views: DesignViewsTable;
  revisions: RevisionsTable;
  slack_installations: SlackInstallationsTable;
  chat_posts: ChatPostsTable;
  model_calls: ModelCallsTable;
  budget_notices: BudgetNoticesTable;
  design_links: DesignLinksTable;
  facet_migrations: FacetMigrationsTable;
  card_tokens: CardTokensTable;
}

export type Workspace = Selectable<WorkspacesTable>;
export type NewWorkspace = Insertable<WorkspacesTable>;
export type LedgerEntry = Selectable<LedgerEntriesTable>;
