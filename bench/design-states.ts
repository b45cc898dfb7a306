import type { FacetDatabase } from '../src/storage/database.ts';

/** How many designs a bench run left in each state: the end-of-run tally every bench prints. */
export async function designStateCounts(db: FacetDatabase): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('designs')
    .select(['state', (eb) => eb.fn.countAll().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
}
