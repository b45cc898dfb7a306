import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { FacetDatabase } from './database.ts';
import { sqlState } from './postgres-errors.ts';

const UNDEFINED_TABLE = '42P01';

const defaultDirectory = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any fixed number: every Facet process that migrates takes this lock, so two starts never race.
const MIGRATION_LOCK = 7_140_251;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export type MigrationReport = { applied: string[]; alreadyApplied: number };

/** Applies every migrations/NNNN_*.sql not applied yet, in order, in one transaction. Re-runnable. */
export async function migrate(db: FacetDatabase, directory = defaultDirectory): Promise<MigrationReport> {
  const files = (await readdir(directory)).filter((name) => /^\d{4}_[\w-]+\.sql$/.test(name)).sort();
  const scripts = await Promise.all(
    files.map(async (name) => {
      const text = await readFile(`${directory}/${name}`, 'utf8');
      return { name, text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists facet_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const done = new Map(
      (await trx.selectFrom('facet_migrations').select(['name', 'checksum']).execute()).map((row) => [
        row.name,
        row.checksum,
      ]),
    );
    for (const name of done.keys()) {
      if (!scripts.some((script) => script.name === name)) {
        throw new MigrationError(
          `The database has migration ${name}, which this version of Facet does not know: is it older than the database?`,
        );
      }
    }
    const applied: string[] = [];
    for (const script of scripts) {
      const checksum = done.get(script.name);
      if (checksum === script.checksum) continue;
      if (checksum !== undefined) {
        throw new MigrationError(
          `Migration ${script.name} changed after it was applied; migrations are forward-only: add a new one instead.`,
        );
      }
      await sql.raw(script.text).execute(trx);
      await trx
        .insertInto('facet_migrations')
        .values({ name: script.name, checksum: script.checksum })
        .execute();
      applied.push(script.name);
    }
    return { applied, alreadyApplied: done.size };
  });
}

/** True when every migration this code knows about is applied (used by /readyz). */
export async function isMigrated(db: FacetDatabase, directory = defaultDirectory): Promise<boolean> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.sql'));
  try {
    const rows = await db.selectFrom('facet_migrations').select('name').execute();
    const names = new Set(rows.map((row) => row.name));
    return files.every((file) => names.has(file));
  } catch (error) {
    if (sqlState(error) === UNDEFINED_TABLE) return false;
    throw error; // the database is unreachable: not the same answer as "not migrated"
  }
}
