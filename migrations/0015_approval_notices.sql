-- How approvers are asked about a front view waiting for them: a mention of the approver group in the
-- card's thread (every platform), or a direct message to each member (Slack, up to a limit; a larger group
-- is mentioned in the thread instead).
alter table workspaces
  add column approval_notices text not null default 'thread' check (approval_notices in ('thread', 'direct'));
