import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { idleConnectionMs } from '../../src/storage/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const backend = async (test: TestDatabase) =>
  (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(test.db)).rows[0]!.pid;

/** A design's steps are tens of seconds apart: its connections must outlive those waits. */
describe('idle Postgres connections', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('idle_connections', { poolSize: 1 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(() => test.drop());

  it('are kept through a minute of quiet and closed after minutes of it', async () => {
    // Only the pool's idle timer is faked; the socket and the query run for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = await backend(test);
    vi.advanceTimersByTime(60_000);
    expect(await backend(test)).toBe(first);
    vi.advanceTimersByTime(idleConnectionMs + 1000);
    // The old backend is gone: the pool opened a new connection.
    expect(await backend(test)).not.toBe(first);
    expect(idleConnectionMs).toBeGreaterThanOrEqual(60_000);
  });
});
