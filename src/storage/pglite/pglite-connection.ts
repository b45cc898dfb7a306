import type { PGlite } from '@electric-sql/pglite';
import { type CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';

export class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = compiledQuery.parameters as unknown[];
    if (parameters.length === 0 && hasSeveralStatements(compiledQuery.sql)) {
      // Migration scripts: only the simple protocol accepts several statements in one string.
      const results = await this.pglite.exec(compiledQuery.sql);
      const last = results.at(-1);
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: BigInt(last?.affectedRows ?? 0) };
    }
    const result = await this.pglite.query<R>(compiledQuery.sql, parameters);
    return {
      rows: result.rows,
      ...(result.affectedRows === undefined ? {} : { numAffectedRows: BigInt(result.affectedRows) }),
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiledQuery);
  }
}

function hasSeveralStatements(sql: string): boolean {
  return sql.trim().replace(/;$/, '').includes(';');
}
