import type { Kysely } from 'kysely';
import type { Database, ModelCallsTable } from '../../storage/schema.ts';
import type { Insertable } from 'kysely';

export type ModelCallRow = Insertable<ModelCallsTable>;

/** One statement for a batch: a design's calls cost one round trip per flush, not one each. */
export async function insertModelCalls(db: Kysely<Database>, rows: readonly ModelCallRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('model_calls')
    .values([...rows])
    .execute();
}
