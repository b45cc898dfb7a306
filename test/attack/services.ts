import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) as the test suite uses them: started by the same
 * script as `npm test` and CI use when they are down. Returns why they are not usable, if they are not.
 */
export function ensureServices(): string | undefined {
  try {
    execFileSync('bash', ['scripts/ensure-services.sh'], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return (
      `Postgres (127.0.0.1:5432, user postgres) or Redis (127.0.0.1:6379) is not reachable and ` +
      `scripts/ensure-services.sh could not start them${stderr ? `: ${stderr}` : ''}. ` +
      'Start them (see scripts/ensure-services.sh) and run `npm run test:attack` again.'
    );
  }
}

/** Whether the Redis database the Slack instance will use answers a PING (within 2 s, no retries). */
export async function redisProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${url} does not answer (${error instanceof Error ? error.message : String(error)}); set ATTACK_REDIS_URL or start Redis (scripts/ensure-services.sh).`;
  } finally {
    redis.disconnect();
  }
}
