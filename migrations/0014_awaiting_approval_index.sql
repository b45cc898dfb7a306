-- "Waiting for my approval" (Slack's Home tab, /design pending, the playground's panel) lists one
-- workspace's designs awaiting approval, on every Home visit. Only those rows are indexed (few, however
-- many designs a workspace has finished), by workspace and requester: the list reads its own rows only,
-- where designs_live (by state alone) would read every workspace's waiting designs.
create index designs_awaiting_approval on designs (workspace_id, requester_id)
  where state = 'awaiting_approval';
