import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, overLimitMessage } from '../../../src/bots/rate-limit/rate-limiter.ts';
import { RedisRateLimiter } from '../../../src/bots/rate-limit/redis-rate-limiter.ts';

const silent = pino({ level: 'silent' });
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limiters (commands and clicks per person per minute)', () => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it('in memory: lets the limit through, refuses the next with the seconds left, starts over next minute', async () => {
    let now = 120_000 + 15_000;
    const limiter = new MemoryRateLimiter(3, () => now);
    const takes = [];
    for (let i = 0; i < 4; i += 1) takes.push(await limiter.take('slack:T1:U1'));
    expect(takes.slice(0, 3).every((t) => t.ok)).toBe(true);
    expect(takes[3]).toEqual({ ok: false, retryAfterSeconds: 45 });
    // Someone else is not affected.
    expect(await limiter.take('slack:T1:U2')).toEqual({ ok: true });
    now += 45_000;
    expect(await limiter.take('slack:T1:U1')).toEqual({ ok: true });
  });

  it('in Redis: one count shared by every process, expiring with its window', async () => {
    const who = `test:${randomUUID()}`;
    const now = () => 1_800_000_000_000 + 50_000;
    const first = new RedisRateLimiter(redis, 4, silent, now);
    const other = new Redis(redisUrl);
    const second = new RedisRateLimiter(other, 4, silent, now);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? first : second).take(who)),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(4);
    expect(answers.filter((a) => !a.ok)).toEqual([
      { ok: false, retryAfterSeconds: 10 },
      { ok: false, retryAfterSeconds: 10 },
    ]);
    const keys = await redis.keys(`facet:rate:${who}:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(60_000);
    await other.quit();
    expect(await overLimitMessage(first, who)).toMatch(
      /up to 4 commands and clicks a minute from one person\. Nothing was done; try again in 10 s/,
    );
  });

  it('lets requests through when Redis cannot be reached, rather than locking people out', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const limiter = new RedisRateLimiter(down, 1, logger);
    expect(await limiter.take('slack:T1:U1')).toEqual({ ok: true });
    expect(await limiter.take('slack:T1:U1')).toEqual({ ok: true });
    expect(warnings).toHaveLength(2);
    down.disconnect();
  });
});
