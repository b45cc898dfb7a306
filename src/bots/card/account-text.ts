import type { Balance, HistoryEntry } from '../../credits/ledger-outcomes.ts';
import type { DesignHistoryEntry } from '../../workflow/design-history.ts';
import type { DesignState } from '../../storage/schema.ts';

const entryLabels: Record<string, string> = {
  grant: 'granted',
  starter: 'starter credits',
  reserve: 'reserved',
  extend: 'reserved for an edit',
  capture: 'charged',
  release: 'returned',
  expire: 'returned (expired)',
};

const stateLabels: Record<DesignState, string> = {
  queued: 'waiting in line',
  generating_front: 'generating the front view',
  awaiting_approval: 'waiting for approval',
  generating_views: 'generating the other views',
  finalizing: 'finishing',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  expired: 'expired',
};

function day(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

function credits(n: number): string {
  return `${n} credit${n === 1 ? '' : 's'}`;
}

/** `/design credits`: the balance in one line, then the recent journal entries. */
export function creditsText(
  balance: Balance,
  entries: HistoryEntry[],
): { headline: string; lines: string[] } {
  return {
    headline: `You have ${credits(balance.available)} available (${balance.balance} in your account, ${balance.held} reserved for designs in progress).`,
    lines: entries.map(
      (entry) =>
        `${day(entry.createdAt)} UTC: ${entryLabels[entry.kind] ?? entry.kind} ${credits(entry.amount)}, balance ${entry.balanceAfter}`,
    ),
  };
}

/** `/design history`: one line per design, without the prompt (each surface escapes and links it). */
export function historyStatus(entry: DesignHistoryEntry): string {
  const charged = entry.charged > 0 ? `, ${credits(entry.charged)} charged` : '';
  return `${stateLabels[entry.state]}, iteration ${entry.iteration}${charged}, started ${day(entry.createdAt)} UTC`;
}
