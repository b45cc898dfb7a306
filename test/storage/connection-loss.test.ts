import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/** Postgres ending a connection (restart, failover, pg_terminate_backend) fails a query, never the process. */
describe('losing a Postgres connection', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('connection_loss');
  });
  afterAll(() => test.drop());

  it('mid-transaction: the transaction fails, the process lives on, the next query works', async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      const attempt = test.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await adminQuery(`select pg_terminate_backend(${rows[0]!.pid})`);
        // The server's goodbye arrives while the client is checked out, between two statements.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await sql`select 1`.execute(trx);
      });
      await expect(attempt).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(crashes).toEqual([]);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(test.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
