-- Settling a hold in one round trip. Lock first, in a statement of its own: the settling statement
-- then reads a snapshot taken after the lock, which already holds every committed change to the hold.
-- (One statement that both waited for the hold and updated the account could combine a hold amount
-- that includes a racing edit with an account row that does not, and over-release.)
create function ledger_settle(
  p_hold uuid, p_how text, p_expected integer, p_key text, p_fingerprint text, p_memo text, p_now timestamptz
) returns table (account_id bigint, hold_id uuid, kind text, amount integer, balance_after integer,
                 held_after integer, fingerprint text)
language plpgsql volatile as $$
#variable_conflict use_column
begin
  perform 1 from credit_holds where id = p_hold and status = 'active' for no key update;
  if not found then
    return;
  end if;
  return query
    with hold as (
      update credit_holds
      set status = case p_how when 'capture' then 'captured' when 'release' then 'released' else 'expired' end,
          settled_at = p_now
      where id = p_hold and status = 'active' -- settle once
        and (p_expected is null or amount = p_expected)
        and (p_how <> 'expire' or expires_at <= p_now)
      returning id, account_id, amount
    ), account as (
      update credit_accounts a
      set posted_debits = a.posted_debits + case when p_how = 'capture' then hold.amount else 0 end,
          pending_debits = a.pending_debits - hold.amount
      from hold where a.id = hold.account_id
      returning a.id, a.posted_credits - a.posted_debits as balance, a.pending_debits as held
    )
    insert into ledger_entries as e (account_id, hold_id, kind, amount, balance_delta, held_delta,
                                     balance_after, held_after, idempotency_key, fingerprint, memo, created_at)
    select account.id, hold.id, p_how, hold.amount,
           case when p_how = 'capture' then -hold.amount else 0 end, -hold.amount,
           account.balance, account.held, p_key, p_fingerprint, p_memo, p_now
    from account, hold
    returning e.account_id, e.hold_id, e.kind, e.amount, e.balance_after, e.held_after, e.fingerprint;
end;
$$;

-- Reserving in one call too, so both halves of a design's cycle reuse a cached plan. The hold row is
-- claimed before the account is locked: claiming a subject can wait for a transaction that is settling
-- that subject's earlier hold, and that transaction locks hold -> account, so waiting while holding the
-- account would deadlock (a duplicate reserve racing the capture of the hold it created).
create function ledger_reserve(
  p_account bigint, p_subject text, p_amount integer, p_expires_at timestamptz, p_key text,
  p_fingerprint text, p_memo text, p_now timestamptz
) returns table (account_id bigint, hold_id uuid, kind text, amount integer, balance_after integer,
                 held_after integer, fingerprint text)
language plpgsql volatile as $$
#variable_conflict use_column
declare
  v_hold uuid;
begin
  insert into credit_holds (account_id, subject, amount, status, expires_at, created_at)
  values (p_account, p_subject, p_amount, 'active', p_expires_at, p_now)
  on conflict (subject) do nothing
  returning id into v_hold;
  if v_hold is null then
    raise exception 'subject % already has a hold', p_subject using errcode = 'unique_violation';
  end if;
  return query
    with account as (
      update credit_accounts set pending_debits = pending_debits + p_amount
      where id = p_account
        and posted_credits - posted_debits - pending_debits >= p_amount -- overdraft guard
      returning id, posted_credits - posted_debits as balance, pending_debits as held
    )
    insert into ledger_entries as e (account_id, hold_id, kind, amount, balance_delta, held_delta,
                                     balance_after, held_after, idempotency_key, fingerprint, memo, created_at)
    select account.id, v_hold, 'reserve', p_amount, 0, p_amount, account.balance, account.held,
           p_key, p_fingerprint, p_memo, p_now
    from account
    returning e.account_id, e.hold_id, e.kind, e.amount, e.balance_after, e.held_after, e.fingerprint;
  if not found then
    -- Not enough credits: nobody else can have seen the claimed hold yet.
    delete from credit_holds where id = v_hold;
  end if;
end;
$$;
