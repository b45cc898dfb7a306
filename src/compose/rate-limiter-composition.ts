import type { Logger } from 'pino';
import { MemoryRateLimiter, unlimited, type RateLimiter } from '../bots/rate-limit/rate-limiter.ts';
import type { Config } from '../config.ts';

export type RateLimiterComposition = { limiter: RateLimiter; close(): Promise<void> };

/** Counts in Redis when processes share one (REDIS_URL), else in this process; none when the limit is 0. */
export async function composeRateLimiter(
  config: Readonly<Config>,
  logger: Logger,
): Promise<RateLimiterComposition> {
  const limit = config.limits.requestsPerMinute;
  if (!Number.isFinite(limit)) return { limiter: unlimited, close: () => Promise.resolve() };
  if (!config.redis) return { limiter: new MemoryRateLimiter(limit), close: () => Promise.resolve() };
  const [{ Redis }, { RedisRateLimiter }] = await Promise.all([
    import('ioredis'),
    import('../bots/rate-limit/redis-rate-limiter.ts'),
  ]);
  // Fails fast instead of queueing while Redis is away: the limiter then lets requests through.
  const redis = new Redis(config.redis.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 500,
  });
  redis.on('error', (error: unknown) => logger.debug({ err: error }, 'rate limiter Redis connection'));
  return {
    limiter: new RedisRateLimiter(redis, limit, logger),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
