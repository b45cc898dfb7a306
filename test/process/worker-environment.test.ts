import { describe, expect, it } from 'vitest';
import { workerProcessEnv } from '../../src/process/worker-environment.ts';

describe('workerProcessEnv', () => {
  it('limits the allocator arenas of a job-worker process and keeps the rest of the environment', () => {
    const env = workerProcessEnv({ PATH: '/usr/bin', REDIS_URL: 'redis://127.0.0.1:6379/5' });
    expect(env).toEqual({ PATH: '/usr/bin', REDIS_URL: 'redis://127.0.0.1:6379/5', MALLOC_ARENA_MAX: '2' });
  });

  it("keeps the operator's own arena limit", () => {
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
  });
});
