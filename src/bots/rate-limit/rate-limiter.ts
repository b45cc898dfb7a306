/** Whether one more command or click from this person is let through now. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Commands and clicks per person per minute: a script or a stuck key does not flood the queue. */
export interface RateLimiter {
  readonly limit: number;
  /** `who` names one person on one platform workspace, e.g. `slack:T1:U1`. */
  take(who: string): Promise<RateDecision>;
}

/** The answer for a request over the limit; undefined when it may go on. */
export async function overLimitMessage(limiter: RateLimiter, who: string): Promise<string | undefined> {
  const taken = await limiter.take(who);
  return taken.ok ? undefined : slowDownText(limiter.limit, taken.retryAfterSeconds);
}

export const windowMs = 60_000;

/** The polite answer to a person who is over the limit. */
export function slowDownText(limit: number, retryAfterSeconds: number): string {
  return `You're going a little fast: Facet takes up to ${limit} commands and clicks a minute from one person. Nothing was done; try again in ${retryAfterSeconds} s.`;
}

export const unlimited: RateLimiter = { limit: Infinity, take: () => Promise.resolve({ ok: true }) };

/**
 * One process's own counts (the embedded default, where one process serves everyone). Fixed windows
 * of a minute, the same rule the Redis limiter applies across processes.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(who: string): Promise<RateDecision> {
    const now = this.now();
    const window = Math.floor(now / windowMs);
    const entry = this.counts.get(who);
    const count = entry?.window === window ? entry.count + 1 : 1;
    this.counts.set(who, { window, count });
    if (this.counts.size > 10_000) this.forgetOld(window);
    return Promise.resolve(decision(count, this.limit, now));
  }

  private forgetOld(window: number): void {
    for (const [who, entry] of this.counts) if (entry.window !== window) this.counts.delete(who);
  }
}

export function decision(count: number, limit: number, now: number): RateDecision {
  if (count <= limit) return { ok: true };
  const windowEnd = (Math.floor(now / windowMs) + 1) * windowMs;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
}
