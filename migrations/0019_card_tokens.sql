-- Cards a platform can reach only with a short-lived token (Discord: a card made where the bot is not, by
-- a user install or in a DM, is posted and edited through an interaction's webhook; each token is good for
-- 15 minutes, and every click on the card brings a newer one). The newest token of each card is kept
-- sealed (AES-256-GCM by the platform; never in clear, never logged), keyed by the card's message, with
-- the message the token edits it as (Discord: '@original', or the follow-up's id).
create table card_tokens (
  card_ref text primary key check (length(card_ref) between 1 and 300),
  design_id uuid not null references designs (id) on delete cascade,
  sealed_token text not null check (length(sealed_token) between 1 and 2000),
  message_ref text not null check (length(message_ref) between 1 and 300),
  expires_at timestamptz not null,
  updated_at timestamptz not null default now()
);
