import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { decision, windowMs, type RateDecision, type RateLimiter } from './rate-limiter.ts';

/**
 * The per-person limit shared by every web and bot process: one counter per person and minute in
 * Redis (INCR, expiring with its window). When Redis does not answer quickly the request is let
 * through: a limiter outage must not lock people out of the product.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    readonly limit: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async take(who: string): Promise<RateDecision> {
    const now = this.now();
    const key = `facet:rate:${who}:${Math.floor(now / windowMs)}`;
    try {
      const results = await this.redis
        .multi()
        .incr(key)
        .pexpire(key, windowMs * 2)
        .exec();
      const count = results?.[0]?.[1];
      if (typeof count !== 'number') throw new Error('INCR answered no count');
      return decision(count, this.limit, now);
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limiter unavailable; letting the request through');
      return { ok: true };
    }
  }
}
