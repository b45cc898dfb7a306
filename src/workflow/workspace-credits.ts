import type { CreditLedger } from '../credits/ledger.ts';
import { IdempotencyConflictError } from '../credits/errors/idempotency-conflict-error.ts';
import type { Clock } from '../clock.ts';

/** A member's credits in one workspace. */
export type CreditBalance = { balance: number; held: number; available: number };

/** One journal entry, as a member reads it. */
export type CreditEntry = {
  kind: string;
  amount: number;
  balanceAfter: number;
  heldAfter: number;
  createdAt: Date;
};

export type CreditAccount = { workspaceId: string; userId: string };

/** What an admin's grant came to. */
export type GrantResult =
  | { kind: 'granted'; balance: CreditBalance; replayed: boolean }
  /** The request's key was used before for another grant (another amount or member): nothing granted. */
  | { kind: 'key_reused' }
  /** The operator's ceiling on what a workspace's admins grant per day would be passed. */
  | { kind: 'over_daily_limit'; most: number; left: number };

const day = 24 * 60 * 60 * 1000;
/** The keys of admins' grants from chat; the operator's own (`facet credits grant`) use others. */
const adminGrantPrefix = 'admin-grant:';

/** An admin grant's idempotency key: the platform's request id, scoped to the admin who sent it. */
export function adminGrantKey(request: {
  platform: string;
  workspace: string;
  adminId: string;
  requestId: string;
}): string {
  return `${adminGrantPrefix}${request.platform}:${request.workspace}:${request.adminId}:${request.requestId}`;
}

/**
 * What the chat layer may do with credits: read a member's balance and journal, and grant (an admin's
 * act: who may grant is the caller's check). Reserving and settling belong to the design workflow.
 */
export class WorkspaceCredits {
  constructor(
    private readonly ledger: CreditLedger,
    private readonly options: {
      clock: Clock;
      /** The most a workspace's admins may grant in any 24 hours (Infinity: no ceiling). */
      adminGrantsPerDay: number;
    },
  ) {}

  async statement(
    account: CreditAccount,
    entries: number,
  ): Promise<{ balance: CreditBalance; entries: CreditEntry[] }> {
    const [balance, history] = await Promise.all([
      this.ledger.balance(account),
      this.ledger.history(account, entries),
    ]);
    return { balance, entries: history };
  }

  balance(account: CreditAccount): Promise<CreditBalance> {
    return this.ledger.balance(account);
  }

  /**
   * An admin's grant. `key` (from adminGrantKey) makes a repeated request (a platform retry) grant once;
   * the same key with other arguments is refused, not granted again.
   */
  async grant(request: {
    account: CreditAccount;
    amount: number;
    key: string;
    memo: string;
  }): Promise<GrantResult> {
    try {
      const most = this.options.adminGrantsPerDay;
      if (most === Infinity) {
        const outcome = await this.ledger.grant(request);
        return { kind: 'granted', balance: outcome.balance, replayed: outcome.replayed };
      }
      const since = new Date(this.options.clock().getTime() - day);
      const outcome = await this.ledger.grantUnderCeiling({
        ...request,
        ceiling: { most, since, keyPrefix: adminGrantPrefix },
      });
      if (outcome.kind === 'over_ceiling')
        return { kind: 'over_daily_limit', most, left: Math.max(0, most - outcome.grantedInWindow) };
      return { kind: 'granted', balance: outcome.balance, replayed: outcome.replayed };
    } catch (error) {
      if (error instanceof IdempotencyConflictError) return { kind: 'key_reused' };
      throw error;
    }
  }
}
