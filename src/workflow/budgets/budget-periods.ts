/** Budgets run by calendar month and day in UTC, so every process and report agrees on the edges. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export function dayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** YYYY-MM of the month `now` is in. */
export function monthKey(now: Date): string {
  return monthStart(now).toISOString().slice(0, 7);
}

export const microUsdPerCent = 10_000;

/** The levels of a budget a spend has reached (80 and 100 per cent). */
export function levelsReached(spentMicroUsd: number, capCents: number): (80 | 100)[] {
  const cap = capCents * microUsdPerCent;
  return ([80, 100] as const).filter((level) => spentMicroUsd * 100 >= cap * level);
}
