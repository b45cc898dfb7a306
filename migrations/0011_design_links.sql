-- Design pages are reached by a link signed over (design id, generation). Revoking a design's links sets
-- revoked_at and moves the generation on, so every link issued before stays dead even if a later change
-- issues links again. A design without a row has generation 0 and is not revoked: no write per design.
create table design_links (
  design_id uuid primary key references designs (id) on delete cascade,
  generation integer not null default 0 check (generation >= 0),
  revoked_at timestamptz,
  revoked_by text check (length(revoked_by) <= 200)
);
