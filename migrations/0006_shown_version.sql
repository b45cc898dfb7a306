-- The newest version of each design that its chat card (and thread) was updated to. The reconciler
-- re-shows designs that moved on without being shown: a process that committed a change and died
-- before updating the card would otherwise leave the card stale.
alter table designs add column shown_version integer;
create index designs_unshown on designs (updated_at) where shown_version is not null and shown_version < version;
