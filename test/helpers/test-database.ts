import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type FacetDatabase } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrator.ts';

export const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabase = { db: FacetDatabase; url: string; name: string; drop: () => Promise<void> };

/** A fresh, migrated database of its own, so test files run in parallel without touching each other. */
export async function createTestDatabase(
  label: string,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  const name = `facet_${label.replace(/\W/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name} template template0`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ kind: 'postgres', url }, options);
  await migrate(db);
  return {
    db,
    url,
    name,
    drop: async () => {
      await db.destroy();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/** An embedded PGlite database in memory, migrated. */
export async function createPGliteDatabase(): Promise<FacetDatabase> {
  const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  await migrate(db);
  return db;
}

export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** How many rows a table holds: what a test checks nothing was created in. */
export async function rowCount(db: FacetDatabase, table: 'designs' | 'credit_holds'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
