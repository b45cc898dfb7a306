-- processed_interactions (0001) was meant to remember chat interactions already handled, but nothing
-- ever wrote or read it: a repeated click or command is made harmless by the designs' compare-and-set
-- transitions and the ledger's idempotency keys instead. Dropping it takes its index with it.
drop table if exists processed_interactions;
