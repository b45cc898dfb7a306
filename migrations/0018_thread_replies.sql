-- Replies in a design card's thread taken as Request changes (issue 19). Off by default: on Slack it
-- needs the history scopes and message events, on Discord the Message Content intent, and a workspace
-- chooses it.
alter table workspaces add column thread_replies boolean not null default false;

-- A reply names its thread by the card's message (Slack's ts; on Discord the thread has the card message's
-- id): found through these rather than by reading every design.
create index designs_slack_card_ts on designs ((surface -> 'slack' ->> 'ts')) where surface ? 'slack';
create index designs_discord_card_message on designs ((surface -> 'discord' ->> 'messageId'))
  where surface ? 'discord';
