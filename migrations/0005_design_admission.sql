-- Designs wait in line (state 'queued') when their workspace or requester is at the generating cap.
-- admitted_at: when a design left the line; the card's wait estimate and the queue-wait metric use it.
alter table designs add column admitted_at timestamptz;
update designs set admitted_at = created_at where state <> 'queued';

-- The line of one workspace, oldest first.
create index designs_waiting on designs (workspace_id, created_at, id) where state = 'queued';
-- What a workspace has generating now (the caps count these).
create index designs_generating on designs (workspace_id, requester_id)
  where state in ('generating_front', 'generating_views', 'finalizing');
