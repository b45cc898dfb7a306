-- Messages a chat surface posts for a design besides its card (the thread's status message, each image).
-- A row is claimed before the message is posted, so two processes (or a redelivered job) never post the
-- same image twice; message_ref is the platform's id for it (Slack ts or file id), set once posted.
create table chat_posts (
  design_id uuid not null references designs (id) on delete cascade,
  key text not null check (length(key) between 1 and 300),
  message_ref text check (length(message_ref) <= 300),
  claimed_at timestamptz not null default now(),
  primary key (design_id, key)
);
