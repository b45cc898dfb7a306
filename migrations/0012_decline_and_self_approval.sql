-- Approvers may decline a front view with a reason: the design ends as 'declined' (its hold released),
-- and the card and the audit trail say who declined which iteration, when and why.
alter table designs drop constraint designs_state_check;
alter table designs add constraint designs_state_check check (state in (
  'queued', 'generating_front', 'awaiting_approval', 'generating_views', 'finalizing',
  'completed', 'failed', 'cancelled', 'expired', 'declined'));
alter table designs
  add column declined_by text check (length(declined_by) <= 200),
  add column declined_at timestamptz,
  add column decline_reason text check (length(decline_reason) <= 1000);

-- Whether requesters may approve their own designs. Null is the default that follows the approver group:
-- yes without one (the requester approves), no with one (managers approve).
alter table workspaces add column requesters_approve boolean;
