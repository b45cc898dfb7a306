import { randomUUID } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.ts';

type ValueKind = 'string' | 'number' | 'date';
type ValueOf<K extends ValueKind> = K extends 'string' ? string : K extends 'number' ? number : Date;
type Values<Kinds extends Record<string, ValueKind>> = { [Name in keyof Kinds]: ValueOf<Kinds[Name]> };

/** Where the value of each name goes among the statement's parameters. */
type Slots = { name: string; index: number }[];

/**
 * A statement whose SQL is the same on every call, only its values differing: kysely builds and compiles
 * it once, and each call runs that SQL with its own values. Kysely's builders copy and freeze a tree at
 * every step, which for the statements every design runs a dozen times (its lock, its snapshot, its view
 * claims) cost more of the job worker's CPU than running them. `kinds` names each value and its type; the
 * statement is built once with a stand-in for each, and each stand-in must become a parameter (never SQL
 * text, never dropped), which the first call checks. The SQL is compiled against the first database it
 * runs on: both of Facet's dialects (pg, PGlite) use kysely's Postgres compiler.
 */
export function compiledOnce<Kinds extends Record<string, ValueKind>, Row>(
  kinds: Kinds,
  build: (db: Kysely<Database>, values: Values<Kinds>) => Compilable<Row>,
): (db: Kysely<Database>, values: Values<Kinds>) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; slots: Slots } | undefined;
  return async (db, values) => {
    compiled ??= compile(db, kinds, build);
    const parameters = [...compiled.query.parameters];
    for (const { name, index } of compiled.slots) parameters[index] = values[name];
    const { rows } = await db.executeQuery<Row>({ ...compiled.query, parameters });
    return rows;
  };
}

function compile<Kinds extends Record<string, ValueKind>, Row>(
  db: Kysely<Database>,
  kinds: Kinds,
  build: (db: Kysely<Database>, values: Values<Kinds>) => Compilable<Row>,
): { query: CompiledQuery<Row>; slots: Slots } {
  const standIns = new Map<unknown, string>();
  const values: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(kinds)) {
    const standIn = standInFor(kind);
    standIns.set(standIn, name);
    values[name] = standIn;
  }
  const query = build(db, values as Values<Kinds>).compile();
  const slots: Slots = [];
  query.parameters.forEach((parameter, index) => {
    const name = standIns.get(parameter);
    if (name !== undefined) slots.push({ name, index });
  });
  const missing = Object.keys(kinds).filter((name) => !slots.some((slot) => slot.name === name));
  if (missing.length > 0)
    throw new Error(`compiledOnce: ${missing.join(', ')} did not become a parameter of: ${query.sql}`);
  return { query, slots };
}

/** A value of `kind` no caller passes, told apart by identity (a Date) or by its value. */
function standInFor(kind: ValueKind): unknown {
  switch (kind) {
    case 'string':
      return `\u0000stand-in ${randomUUID()}`;
    case 'number':
      // Never an id, count or version: a fraction no statement has as a constant.
      return 0.5 + Math.random() * 1e-6;
    case 'date':
      return new Date(0);
  }
}
