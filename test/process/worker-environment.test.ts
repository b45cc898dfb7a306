import { describe, expect, it } from 'vitest';
import { workerProcessEnv } from '../../src/process/worker-environment.ts';

describe('workerProcessEnv', () => {
  it("sets the allocators' settings of a job-worker process and keeps the rest of the environment", () => {
    const env = workerProcessEnv({ PATH: '/usr/bin', REDIS_URL: 'redis://127.0.0.1:6379/5' });
    expect(env).toEqual({
      PATH: '/usr/bin',
      REDIS_URL: 'redis://127.0.0.1:6379/5',
      MALLOC_ARENA_MAX: '2',
      MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
    });
  });

  it("keeps the operator's own settings", () => {
    const env = workerProcessEnv({ MALLOC_ARENA_MAX: '4', MALLOC_CONF: 'narenas:2' });
    expect(env.MALLOC_ARENA_MAX).toBe('4');
    expect(env.MALLOC_CONF).toBe('narenas:2');
  });
});
