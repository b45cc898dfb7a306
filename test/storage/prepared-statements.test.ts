import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.ts';
import { withTransactionRetry } from '../../src/storage/transaction-retry.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

/** Tables of its own: the test makes and alters them. */
type AnyDb = Kysely<any>;

const preparedNames = async (db: AnyDb) =>
  (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db)).rows.map(
    (row) => row.name,
  );

async function alterFromOutside(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('named statements on Postgres (parsed and planned once per connection)', () => {
  let test: TestDatabase;
  let db: AnyDb;
  beforeAll(async () => {
    test = await createTestDatabase('prepared_statements');
    db = await openDatabase({ kind: 'postgres', url: test.url }, { poolSize: 1 });
    await sql`create table gadgets (id int primary key, name text not null)`.execute(db);
    await sql`insert into gadgets values (1, 'kettle'), (2, 'lamp')`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
    await test.drop();
  });

  const gadget = (id: number) => db.selectFrom('gadgets').selectAll().where('id', '=', id).execute();

  it('prepares a parameterized statement once and reuses it, with the right answers', async () => {
    const before = await preparedNames(db);
    expect(await gadget(1)).toEqual([{ id: 1, name: 'kettle' }]);
    expect(await gadget(2)).toEqual([{ id: 2, name: 'lamp' }]);
    expect(await gadget(3)).toEqual([]);
    const added = (await preparedNames(db)).filter((name) => !before.includes(name));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^facet_0_/);
  });

  it('prepares again, unnoticed, when a migration changed the columns of a prepared select *', async () => {
    expect(await gadget(1)).toEqual([{ id: 1, name: 'kettle' }]);
    await alterFromOutside(test.url, "alter table gadgets add column colour text not null default 'black'");
    // Postgres refuses the old statement ("cached plan must not change result type"); it runs anew.
    expect(await gadget(1)).toEqual([{ id: 1, name: 'kettle', colour: 'black' }]);
    // The refused generation was deallocated, not left to fill the connection's statements.
    const names = await preparedNames(db);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => name.startsWith('facet_0_'))).toEqual([]);
  });

  it('inside a transaction fails that transaction once; the next one runs on fresh statements', async () => {
    expect(await gadget(2)).toHaveLength(1);
    await alterFromOutside(test.url, 'alter table gadgets add column weight int');
    const inTransaction = () =>
      db.transaction().execute((trx) => trx.selectFrom('gadgets').selectAll().where('id', '=', 2).execute());
    await expect(inTransaction()).rejects.toMatchObject({ code: '0A000' });
    expect(await inTransaction()).toEqual([{ id: 2, name: 'lamp', colour: 'black', weight: null }]);
    // Callers run such a transaction again: the retry prepares the statement anew.
    await alterFromOutside(test.url, 'alter table gadgets add column price int');
    expect(await withTransactionRetry(inTransaction)).toEqual([
      { id: 2, name: 'lamp', colour: 'black', weight: null, price: null },
    ]);
  });

  it('keeps at most 200 statements per connection; the rest run unnamed and still answer', async () => {
    for (let i = 0; i < 250; i++) {
      const rows = await db
        .selectFrom('gadgets')
        .select(sql<number>`${i}::int + ${sql.raw(String(i))}`.as('n'))
        .where('id', '=', 1)
        .execute();
      expect(rows).toEqual([{ n: 2 * i }]);
    }
    expect((await preparedNames(db)).length).toBeLessThanOrEqual(200);
  });

  it('prepares nothing when turned off (poolers that cannot keep named statements)', async () => {
    const plain = (await openDatabase(
      { kind: 'postgres', url: test.url },
      { poolSize: 1, preparedStatements: false },
    )) as unknown as AnyDb;
    try {
      for (let i = 0; i < 3; i++)
        expect(await plain.selectFrom('gadgets').select('name').where('id', '=', 1).execute()).toEqual([
          { name: 'kettle' },
        ]);
      expect(await preparedNames(plain)).toEqual([]);
    } finally {
      await plain.destroy();
    }
  });
});
