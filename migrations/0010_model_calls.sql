-- Every call Facet makes to an image or vision model, so an operator can read what a workspace costs and
-- cap it. Written by the job that made the call, in batches; never updated (corrections to the price
-- table apply to new calls, and the report can reprice from the tokens kept here).
create table model_calls (
  id bigint generated always as identity primary key,
  workspace_id uuid not null,
  design_id uuid not null,
  requester_id text not null,
  provider text not null check (length(provider) <= 40),
  -- As the answer names it (Gemini's modelVersion, OpenAI's model), else as configured.
  model text not null check (length(model) <= 120),
  purpose text not null check (purpose in ('front', 'edit', 'view', 'view_edit', 'features')),
  outcome text not null
    check (outcome in ('ok', 'blocked', 'no_image', 'transient_error', 'permanent_error')),
  started_at timestamptz not null,
  latency_ms integer not null check (latency_ms >= 0),
  tokens_in integer check (tokens_in >= 0),
  tokens_out integer check (tokens_out >= 0),
  images integer not null check (images >= 0),
  -- Estimated from the price table at the time of the call, in millionths of a US dollar.
  cost_microusd bigint not null check (cost_microusd >= 0),
  -- How the estimate was made: from the answer's token counts, its image count, a typical call, or not at all.
  priced_by text not null check (priced_by in ('tokens', 'images', 'call', 'unpriced'))
);

-- Budgets sum a workspace's month and the operator's day at every design start: index-only scans.
create index model_calls_workspace_time on model_calls (workspace_id, started_at) include (cost_microusd);
create index model_calls_time on model_calls (started_at) include (cost_microusd);

create function model_calls_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'model_calls is append-only (% refused)', tg_op using errcode = 'P0001';
end $$;
create trigger model_calls_no_update_or_delete before update or delete on model_calls
  for each row execute function model_calls_append_only();

-- A workspace's own monthly cap in US cents; null: the operator's default (which may be none).
alter table workspaces add column monthly_budget_cents integer check (monthly_budget_cents >= 0);
-- Who last saved the settings (shown with the budget).
alter table workspaces add column settings_saved_by text;

-- A workspace is told once per month and level (80 and 100 per cent) that it reached its budget: on the
-- card of the design whose call crossed the line.
create table budget_notices (
  workspace_id uuid not null references workspaces (id),
  month text not null check (month ~ '^\d{4}-\d{2}$'),
  level smallint not null check (level in (80, 100)),
  design_id uuid not null,
  spent_microusd bigint not null,
  cap_cents integer not null,
  given_at timestamptz not null default now(),
  primary key (workspace_id, month, level)
);
create index budget_notices_design on budget_notices (design_id);
