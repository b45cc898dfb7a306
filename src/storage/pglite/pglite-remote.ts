import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { FacetDatabase } from '../database.ts';
import type { Database } from '../schema.ts';

/** Runs one statement in another process's PGlite: several statements at once when it has no parameters. */
export type RemoteStatement = (
  sql: string,
  parameters: readonly unknown[],
) => Promise<{ rows: unknown[]; affectedRows?: number | undefined }>;

/**
 * A database whose statements run in the PGlite of another process, one at a time (the initdb child
 * of initdb-child.ts, so that our migrations run in its warm WebAssembly). Not for general use: one
 * session, no pool.
 */
export function remoteDatabase(run: RemoteStatement): FacetDatabase {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const result = await run(query.sql, query.parameters);
      return {
        rows: result.rows as R[],
        ...(result.affectedRows === undefined ? {} : { numAffectedRows: BigInt(result.affectedRows) }),
      };
    },
    streamQuery() {
      throw new Error('not supported by a remote PGlite');
    },
  };
  const statement = async (c: DatabaseConnection, sql: string) => {
    await c.executeQuery(CompiledQuery.raw(sql));
  };
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: (c) => statement(c, 'begin'),
    commitTransaction: (c) => statement(c, 'commit'),
    rollbackTransaction: (c) => statement(c, 'rollback'),
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
