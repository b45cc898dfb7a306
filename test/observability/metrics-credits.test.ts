import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditLedger } from '../../src/credits/ledger.ts';
import { FacetMetrics } from '../../src/observability/metrics.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/**
 * facet_credits_total reads only the journal entries written since the last scrape, so an entry whose
 * transaction commits after a later entry's must still be counted once.
 */
describe('facet_credits_total from the journal', () => {
  let test: TestDatabase;
  let workspaceId: string;

  beforeAll(async () => {
    test = await createTestDatabase('metrics_credits');
    const row = await test.db
      .insertInto('workspaces')
      .values({
        platform: 'playground',
        external_id: 'W1',
        name: 'W',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    workspaceId = row.id;
  });

  afterAll(async () => {
    await test.drop();
  });

  const granted = async (metrics: FacetMetrics) => {
    const text = await metrics.registry.getSingleMetricAsString('facet_credits_total');
    const line = text.split('\n').find((l) => l.startsWith('facet_credits_total{operation="grant"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('counts an entry that commits after a later one, once', async () => {
    const ledger = new CreditLedger(test.db, { clock: () => new Date(), starterCredits: 0 });
    const metrics = new FacetMetrics({ db: test.db });
    const account = (userId: string) => ({ workspaceId, userId });
    await ledger.grant({ account: account('A'), amount: 1, key: 'g1' });
    expect(await granted(metrics)).toBe(1);

    // The slow grant takes its id first and commits last.
    let commitSlow!: () => void;
    const slowMayCommit = new Promise<void>((resolve) => (commitSlow = resolve));
    let slowWrote!: () => void;
    const slowHasWritten = new Promise<void>((resolve) => (slowWrote = resolve));
    const slow = test.db.transaction().execute(async (trx) => {
      await ledger.within(trx).grant({ account: account('B'), amount: 10, key: 'g-slow' });
      slowWrote();
      await slowMayCommit;
    });
    await slowHasWritten;
    await ledger.grant({ account: account('C'), amount: 100, key: 'g-fast' });
    expect(await granted(metrics)).toBe(101);

    commitSlow();
    await slow;
    expect(await granted(metrics)).toBe(111);
    expect(await granted(metrics)).toBe(111);
    await ledger.grant({ account: account('A'), amount: 1000, key: 'g-last' });
    // Two scrapes at once read the new entry once.
    const [first, second] = await Promise.all([granted(metrics), granted(metrics)]);
    expect([first, second]).toEqual([1111, 1111]);
  });
});
