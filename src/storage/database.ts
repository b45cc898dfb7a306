import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { PGliteDialect } from './pglite/pglite-dialect.ts';
import type { Database } from './schema.ts';

export type FacetDatabase = Kysely<Database>;

const INT8_OID = 20;

/** Counts and sums come back as int8; every amount here fits a JS number by far. */
const types = new pg.TypeOverrides();
types.setTypeParser(INT8_OID, 'text', Number);

export type DatabaseOptions = { poolSize?: number };

export async function openDatabase(
  target: Config['database'],
  options: DatabaseOptions = {},
): Promise<FacetDatabase> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that loses its server (restart, pg_terminate_backend) must not crash the process.
    pool.on('error', () => undefined);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const location = target.dataDir === 'memory://' ? target.dataDir : await ensureDirectory(target.dataDir);
  const pglite = await PGlite.create(location);
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

async function ensureDirectory(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  return directory;
}
