-- Several front-view candidates per round (issue 19): a design draws N front views at once (1 to 4), the
-- person picks one, and Approve, the quick edits and Request changes act on the picked one.
-- The workspace gives the default N and the most a person may ask for.
alter table workspaces
  add column candidates_default integer not null default 1 check (candidates_default between 1 and 4),
  add column candidates_max integer not null default 4 check (candidates_max between 1 and 4),
  add constraint workspaces_candidates_default_within_max check (candidates_default <= candidates_max);

-- N for every round of this design, fixed when it starts (its price depends on it).
alter table designs add column candidates integer not null default 1 check (candidates between 1 and 4);

-- Which candidate of the iteration was picked; its image becomes the iteration's image_key (the front view
-- that is approved, edited and used as the reference). Null until someone picks (N > 1).
alter table design_iterations add column picked integer check (picked between 1 and 4);

-- Every candidate drawn, each under its own image key: a retried front job draws only the missing ones.
create table front_candidates (
  design_id uuid not null,
  iteration integer not null,
  candidate integer not null check (candidate between 1 and 4),
  image_key text not null check (length(image_key) <= 500),
  created_at timestamptz not null default now(),
  primary key (design_id, iteration, candidate),
  foreign key (design_id, iteration) references design_iterations (design_id, iteration)
);
