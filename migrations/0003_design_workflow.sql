-- What the workflow needs beyond the initial schema.
alter table designs
  -- 1 for the design as approved; each "Edit view" of a completed design is a new round (a new revision).
  add column round integer not null default 1 check (round >= 1),
  -- Every hold of a design is its own ledger subject design:<id>:<hold_seq> (a retry or an edited view
  -- reserves again), so ledger keys stay deterministic.
  add column hold_seq integer not null default 1 check (hold_seq >= 1),
  -- What the current hold must capture (start price plus accepted edits): checked by the ledger on capture.
  add column hold_amount integer not null default 0 check (hold_amount >= 0),
  add column charged integer not null default 0 check (charged >= 0),
  add column failed_phase text check (failed_phase in ('front', 'views', 'finalize')),
  -- The platform's id of the request that started the design (a retried slash command starts it once).
  add column request_key text check (length(request_key) <= 300);
create unique index designs_request_key on designs (workspace_id, request_key) where request_key is not null;

alter table design_views add column round integer not null default 1 check (round >= 1);
