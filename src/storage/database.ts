import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../config.ts';
import { PGliteDialect } from './pglite/pglite-dialect.ts';
import { pristineClusterTarball } from './pglite/pglite-cluster.ts';
import { prepareStatements } from './prepared-statements.ts';
import { openEmbedded } from './pglite/pglite-open.ts';
import type { Database } from './schema.ts';

export type FacetDatabase = Kysely<Database>;

const INT8_OID = 20;

/**
 * How long an unused connection stays open. pg's default, 10 s, is shorter than a design's wait for the
 * image model: a quiet service closed its connections between a design's steps and paid for new ones
 * (a backend's start, its catalog caches and every prepared statement again) — half of Postgres' CPU per
 * design in bench:workflow (48 -> 22 ms). A few idle backends per process cost the server little.
 */
export const idleConnectionMs = 5 * 60_000;

export type DatabaseOptions = {
  poolSize?: number;
  /** Named (server-side prepared) statements; off for poolers that cannot keep them (see docs/deploy.md). */
  preparedStatements?: boolean;
};

export async function openDatabase(
  target: Config['database'],
  options: DatabaseOptions = {},
): Promise<FacetDatabase> {
  if (target.kind === 'postgres') {
    // Imported here: the embedded default does not need pg (~0.1 s of start).
    const { default: pg } = await import('pg');
    /** Counts and sums come back as int8; every amount here fits a JS number by far. */
    const types = new pg.TypeOverrides();
    types.setTypeParser(INT8_OID, 'text', Number);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: idleConnectionMs,
    });
    // A client that loses its server (restart, pg_terminate_backend) must not crash the process: the
    // pool covers idle clients; a checked-out one emits on itself, and its query fails on its own.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      if (options.preparedStatements ?? target.preparedStatements ?? true) prepareStatements(client);
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (target.dataDir === 'memory://') {
    // A copy of the pristine cluster instead of an initdb per in-memory database (tests).
    const { PGlite } = await import('@electric-sql/pglite');
    const loadDataDir = await pristineClusterTarball();
    const pglite = await PGlite.create({ dataDir: target.dataDir, ...(loadDataDir ? { loadDataDir } : {}) });
    return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  }
  // A new data folder gets its cluster copied from the cache or made by a child (pglite/pglite-cluster.ts);
  // bin/facet.js may have started all this before the application loaded (pglite/pglite-open.ts).
  const pglite = await openEmbedded(target.dataDir);
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
