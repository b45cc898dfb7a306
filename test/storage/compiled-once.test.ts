import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/storage/compiled-once.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

describe('a statement compiled once', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('compiled_once');
  });
  afterAll(() => test.drop());

  const echo = compiledOnce({ name: 'string', count: 'number', at: 'date' }, (db, { name, count, at }) =>
    db.selectNoFrom((eb) => [
      eb.val(name).as('name'),
      sql<number>`${count}::int + 1`.as('next'),
      sql<string>`to_char(${at}::timestamptz at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
      // A constant of the statement stays as it was built; the same value twice goes into both places.
      sql<number>`${1}::int`.as('one'),
      sql<boolean>`${name} = ${name}`.as('same'),
    ]),
  );

  it('runs its one SQL with each call’s own values', async () => {
    expect(await echo(test.db, { name: 'kettle', count: 41, at: new Date('2026-12-05T10:00:00Z') })).toEqual([
      { name: 'kettle', next: 42, day: '2026-12-05', one: 1, same: true },
    ]);
    // Within a transaction too, and with other values.
    const rows = await test.db
      .transaction()
      .execute((trx) => echo(trx, { name: 'lamp', count: 0, at: new Date('2025-01-31T23:59:00Z') }));
    expect(rows).toEqual([{ name: 'lamp', next: 1, day: '2025-01-31', one: 1, same: true }]);
  });

  it('refuses a statement that leaves a value out or writes it into the SQL', async () => {
    const dropped = compiledOnce({ name: 'string', unused: 'string' }, (db, { name }) =>
      db.selectNoFrom((eb) => eb.val(name).as('name')),
    );
    await expect(dropped(test.db, { name: 'a', unused: 'b' })).rejects.toThrow(
      /unused did not become a parameter/,
    );
    const inlined = compiledOnce({ name: 'string' }, (db, { name }) =>
      db.selectNoFrom(sql<string>`${sql.lit(name)}`.as('name')),
    );
    await expect(inlined(test.db, { name: 'a' })).rejects.toThrow(/name did not become a parameter/);
  });
});
