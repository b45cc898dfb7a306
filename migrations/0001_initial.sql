-- Facet schema, first version. Forward-only: never edit a migration that has shipped; add the next one.

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  platform text not null check (platform in ('slack', 'discord', 'playground')),
  external_id text not null check (length(external_id) between 1 and 200),
  name text,
  -- Who may approve besides the requester: a Slack user group id or a Discord role id.
  approver_group text,
  price_design integer not null default 3 check (price_design between 0 and 1000),
  price_variation integer not null default 2 check (price_variation between 0 and 1000),
  price_edit integer not null default 1 check (price_edit between 0 and 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (platform, external_id)
);

-- Two-phase ledger (TigerBeetle style): cumulative counters per account; balance = credits - debits,
-- held = pending_debits, available = balance - held. The CHECK makes an overdraft impossible even for
-- code that forgets the guard.
create table credit_accounts (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references workspaces (id),
  user_id text not null check (length(user_id) between 1 and 200),
  posted_credits integer not null default 0 check (posted_credits >= 0),
  posted_debits integer not null default 0 check (posted_debits >= 0),
  pending_debits integer not null default 0 check (pending_debits >= 0),
  created_at timestamptz not null default now(),
  constraint credit_accounts_no_overdraft check (posted_debits + pending_debits <= posted_credits),
  unique (workspace_id, user_id)
);

create table credit_holds (
  id uuid primary key default gen_random_uuid(),
  account_id bigint not null references credit_accounts (id),
  -- What the hold pays for, e.g. design:<uuid>. One hold per subject.
  subject text not null unique,
  amount integer not null check (amount > 0),
  status text not null check (status in ('active', 'captured', 'released', 'expired')),
  expires_at timestamptz,
  created_at timestamptz not null,
  settled_at timestamptz,
  constraint credit_holds_settled_iff_not_active check ((status = 'active') = (settled_at is null))
);
create index credit_holds_account on credit_holds (account_id);
create index credit_holds_due on credit_holds (expires_at) where status = 'active' and expires_at is not null;

-- Append-only journal. balance = sum(balance_delta), held = sum(held_delta) per account.
create table ledger_entries (
  id bigint generated always as identity primary key,
  account_id bigint not null references credit_accounts (id),
  hold_id uuid references credit_holds (id),
  kind text not null check (kind in ('grant', 'reserve', 'extend', 'capture', 'release', 'expire')),
  amount integer not null check (amount > 0),
  balance_delta integer not null,
  held_delta integer not null,
  balance_after integer not null,
  held_after integer not null,
  idempotency_key text not null check (length(idempotency_key) between 1 and 300),
  -- The request the key was first used for; the same key with another request is a conflict.
  fingerprint text not null,
  memo text,
  created_at timestamptz not null,
  constraint ledger_entries_deltas check (
    (kind = 'grant' and balance_delta = amount and held_delta = 0 and hold_id is null)
    or (kind in ('reserve', 'extend') and balance_delta = 0 and held_delta = amount and hold_id is not null)
    or (kind = 'capture' and balance_delta = -amount and held_delta = -amount and hold_id is not null)
    or (kind in ('release', 'expire') and balance_delta = 0 and held_delta = -amount and hold_id is not null)
  ),
  constraint ledger_entries_after check (balance_after >= 0 and held_after >= 0 and held_after <= balance_after)
);
create unique index ledger_entries_idempotency_key on ledger_entries (idempotency_key);
-- A hold is settled at most once, whatever the code above does.
create unique index ledger_entries_one_settlement on ledger_entries (hold_id)
  where kind in ('capture', 'release', 'expire');
create index ledger_entries_account on ledger_entries (account_id, id desc);

create function ledger_entries_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ledger_entries is append-only (% refused)', tg_op using errcode = 'P0001';
end;
$$;
create trigger ledger_entries_no_update_or_delete before update or delete on ledger_entries
  for each row execute function ledger_entries_append_only();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
  for each statement execute function ledger_entries_append_only();

create table designs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id),
  requester_id text not null,
  prompt text not null check (length(prompt) between 1 and 2000),
  kind text not null check (kind in ('design', 'variation')),
  parent_design_id uuid references designs (id),
  state text not null check (state in (
    'queued', 'generating_front', 'awaiting_approval', 'generating_views', 'finalizing',
    'completed', 'failed', 'cancelled', 'expired')),
  iteration integer not null default 1 check (iteration >= 1),
  base_price integer not null check (base_price >= 0),
  edit_price integer not null check (edit_price >= 0),
  hold_id uuid references credit_holds (id),
  approved_by text,
  approved_at timestamptz,
  failure_kind text,
  failure_message text,
  -- Where the card lives: platform channel and message ids, thread id. Shape is per surface.
  surface jsonb not null default '{}'::jsonb,
  -- Bumped on every change, so a notifier can drop an older snapshot that arrives late.
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint designs_variation_has_parent check ((kind = 'variation') = (parent_design_id is not null))
);
create index designs_workspace_recent on designs (workspace_id, created_at desc);
create index designs_requester_recent on designs (workspace_id, requester_id, created_at desc);
create index designs_in_progress on designs (state)
  where state in ('queued', 'generating_front', 'generating_views', 'finalizing');

create table design_iterations (
  design_id uuid not null references designs (id),
  iteration integer not null check (iteration >= 1),
  -- Feedback that produced this iteration (null for the first): a quick-edit preset or free text.
  preset text,
  feedback text check (length(feedback) <= 4000),
  image_key text,
  features jsonb,
  requested_by text not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (design_id, iteration)
);

create table design_views (
  design_id uuid not null references designs (id),
  view text not null check (view in ('front', 'back', 'side', 'top', 'bottom')),
  state text not null check (state in ('pending', 'generating', 'done', 'failed')),
  image_key text,
  attempts integer not null default 0 check (attempts >= 0),
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (design_id, view),
  constraint design_views_done_has_image check ((state = 'done') = (image_key is not null))
);

create table revisions (
  id uuid primary key default gen_random_uuid(),
  design_id uuid not null references designs (id),
  number integer not null check (number >= 1),
  image_keys jsonb not null,
  contact_sheet_key text,
  charged integer not null check (charged >= 0),
  approved_by text,
  created_at timestamptz not null default now(),
  unique (design_id, number)
);

create table processed_interactions (
  platform text not null check (platform in ('slack', 'discord', 'playground')),
  interaction_id text not null,
  result jsonb,
  processed_at timestamptz not null default now(),
  primary key (platform, interaction_id)
);
create index processed_interactions_age on processed_interactions (processed_at);

create table slack_installations (
  id bigint generated always as identity primary key,
  enterprise_id text not null default '',
  team_id text not null default '',
  installation jsonb not null,
  installed_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (enterprise_id, team_id)
);
