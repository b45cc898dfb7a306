import type { HoldStatus } from '../storage/schema.ts';

/** A credit account is one user in one workspace. */
export type AccountRef = { workspaceId: string; userId: string };

export type Balance = { balance: number; held: number; available: number };

/** Expected outcomes are values; only bugs and outages throw. `replayed` marks an idempotent repeat. */
export type GrantOutcome = { kind: 'granted'; amount: number; balance: Balance; replayed: boolean };

/** A grant refused because the workspace's grants in the ceiling's window would pass it. */
export type OverCeiling = { kind: 'over_ceiling'; most: number; grantedInWindow: number };

/** The most a workspace's admins may grant within a window; operator grants use other keys and pass. */
export type GrantCeiling = { most: number; since: Date; keyPrefix: string };

export type Insufficient = { kind: 'insufficient'; cost: number; available: number };

export type ReserveOutcome =
  { kind: 'reserved'; holdId: string; amount: number; balance: Balance; replayed: boolean } | Insufficient;

export type HoldRefusal =
  | { kind: 'hold_not_found'; holdId: string }
  | { kind: 'already_settled'; holdId: string; status: Exclude<HoldStatus, 'active'> };

export type ExtendOutcome =
  | { kind: 'extended'; holdId: string; added: number; balance: Balance; replayed: boolean }
  | Insufficient
  | HoldRefusal;

export type SettleKind = 'capture' | 'release' | 'expire';

export type SettleOutcome =
  | { kind: 'settled'; how: SettleKind; holdId: string; amount: number; balance: Balance; replayed: boolean }
  | HoldRefusal
  | { kind: 'amount_mismatch'; holdId: string; expected: number; held: number }
  | { kind: 'not_due'; holdId: string; expiresAt: Date | null };

export type HistoryEntry = {
  id: number;
  kind: string;
  amount: number;
  balanceDelta: number;
  heldDelta: number;
  balanceAfter: number;
  heldAfter: number;
  holdId: string | null;
  memo: string | null;
  createdAt: Date;
};
