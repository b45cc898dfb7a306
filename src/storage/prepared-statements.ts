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
// added a column under `select *`), and one that is gone (the server restarted behind a pooler). Either
// way the statement did not run, so running it again is safe. `routine` is not translated; the message is.
export function isStalePlan(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return code === '26000' || (code === '0A000' && routine === 'RevalidateCachedQuery');
}

type Statements = {
  generation: number;
  names: Set<string>;
  /** Statements of older generations are still allocated on the server: freed when next idle. */
  stale: boolean;
};

/**
 * Makes every parameterized statement of this client a named one. After Postgres refuses one as stale,
 * every statement is prepared again under a new name (the old ones are deallocated when the connection
 * is next idle): at once when no transaction was open; otherwise the transaction fails, and callers
 * retry it on fresh statements (`isStalePlan`).
 */
export function prepareStatements(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const query = original as (config: pg.QueryConfig | string) => Promise<pg.QueryResult>;
  const statements: Statements = { generation: 0, names: new Set(), stale: false };
  const renew = () => {
    statements.generation++;
    statements.names.clear();
  };
  const run = async (text: string, values: unknown[], retried: boolean): Promise<pg.QueryResult> => {
    // 'I' idle, 'T' in a transaction, 'E' in a failed one (the status of Postgres' last ReadyForQuery).
    const idleBefore = client.getTransactionStatus() === 'I';
    if (statements.stale && idleBefore) {
      await query('deallocate all');
      statements.stale = false;
      // Whatever was prepared since the refusal went too.
      renew();
    }
    const name = nameFor(statements, text);
    if (name === undefined) return query({ text, values });
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      renew();
      statements.stale = true;
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
