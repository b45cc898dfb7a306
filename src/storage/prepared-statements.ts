import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Planning is most of what Postgres spends on our statements (a view claim: ~1 ms to parse and plan,
 * ~0.3 ms to run), and the same few dozen statements run for every design. Named statements are parsed
 * and planned once per connection instead: bench:workflow measured ~25% less CPU per design.
 */

/** Distinct statements kept prepared per connection; more (SQL built from data) run unnamed. */
const maxPreparedPerConnection = 200;

// Postgres refuses a prepared statement whose result columns changed since it was prepared (a migration
// added a column under `select *`), and one that is gone (the server restarted behind a pooler).
// Either way the statement did not run, so running it again is safe.
const stalePlan = (error: unknown): boolean => {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '26000') return true;
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
};

type Statements = { generation: number; names: Set<string> };

/**
 * Makes every parameterized statement of this client a named one. A statement that Postgres refuses as
 * stale is prepared again under a new name: at once when no transaction was open, otherwise the
 * transaction fails as it would have anyway, and its retry runs on fresh statements.
 */
export function prepareStatements(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = original as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const statements: Statements = { generation: 0, names: new Set() };
  const run = async (text: string, values: unknown[], retried: boolean): Promise<pg.QueryResult> => {
    const name = nameFor(statements, text);
    if (name === undefined) return query({ text, values });
    // 'I' idle, 'T' in a transaction, 'E' in a failed one (the status of Postgres' last ReadyForQuery).
    const idleBefore = client.getTransactionStatus() === 'I';
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (!stalePlan(error)) throw error;
      statements.generation++;
      if (!idleBefore || retried) throw error;
      return run(text, values, true);
    }
  };
  const prepared = (textOrConfig: unknown, values?: unknown, callback?: unknown): unknown => {
    // Only what kysely sends: (text, values) with no callback. Anything else is passed on unchanged.
    if (typeof textOrConfig !== 'string' || !Array.isArray(values) || values.length === 0 || callback)
      return original(textOrConfig, values, callback);
    return run(textOrConfig, values as unknown[], false);
  };
  client.query = prepared as typeof client.query;
}

// The same few dozen texts come back all the time: their digests are kept rather than computed each time.
const digests = new Map<string, string>();
const maxDigests = 1000;

function digestOf(text: string): string {
  let digest = digests.get(text);
  if (digest === undefined) {
    digest = createHash('sha1').update(text).digest('base64url');
    if (digests.size < maxDigests) digests.set(text, digest);
  }
  return digest;
}

function nameFor(statements: Statements, text: string): string | undefined {
  const name = `facet_${statements.generation}_${digestOf(text)}`;
  if (statements.names.has(name)) return name;
  if (statements.names.size >= maxPreparedPerConnection) return undefined;
  statements.names.add(name);
  return name;
}
