import type { CreditLedger } from '../credits/ledger.ts';

/** A member's credits in one workspace. */
export type CreditBalance = { balance: number; held: number; available: number };

/** One journal entry, as a member reads it. */
export type CreditEntry = { kind: string; amount: number; balanceAfter: number; createdAt: Date };

export type CreditAccount = { workspaceId: string; userId: string };

/**
 * What the chat layer may do with credits: read a member's balance and journal, and grant (an admin's
 * act: who may grant is the caller's check). Reserving and settling belong to the design workflow.
 */
export class WorkspaceCredits {
  constructor(private readonly ledger: CreditLedger) {}

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

  /** `key` makes a repeated request (a platform retry) grant once. */
  async grant(request: {
    account: CreditAccount;
    amount: number;
    key: string;
    memo: string;
  }): Promise<CreditBalance> {
    return (await this.ledger.grant(request)).balance;
  }
}
