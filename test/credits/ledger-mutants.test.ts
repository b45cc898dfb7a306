import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreditLedger, LedgerOptions } from '../../src/credits/ledger.ts';
import type { FacetDatabase } from '../../src/storage/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import {
  concurrentReserves,
  freshAccount,
  racingSettlement,
  replaysInsideTransactions,
} from './ledger-scenarios.ts';

/*
 * Shows the ledger tests can fail: each mutant is a copy of src/ with one safety removed from the code
 * AND from the schema (the database would otherwise still catch it). The scenarios the real ledger
 * passes must catch every mutant.
 */

/**
 * `edits` are [original text, mutated text] pairs applied to `file`: a source file (the mutant runs a
 * copy of src/) or the migration that defines the ledger's SQL functions (re-created in the mutant's database).
 */
type Mutant = { file: string; edits: [string, string][]; schema: string };

const functions = 'migrations/0002_ledger_functions.sql';

const mutants = {
  'no overdraft guard': {
    file: functions,
    edits: [
      [`\n        and posted_credits - posted_debits - pending_debits >= p_amount -- overdraft guard`, ''],
    ],
    schema: `alter table credit_accounts drop constraint credit_accounts_no_overdraft;
             alter table ledger_entries drop constraint ledger_entries_after;`,
  },
  'no idempotency check in a transaction': {
    file: 'src/credits/ledger.ts',
    edits: [[`\n      if (previous) return replay(key, fingerprint, previous);`, '']],
    schema: '',
  },
  'no unique idempotency key': {
    file: 'src/credits/ledger.ts',
    edits: [],
    schema: `drop index ledger_entries_idempotency_key;`,
  },
  'settles twice': {
    file: functions,
    edits: [
      [` and status = 'active' -- settle once`, ''],
      [`where id = p_hold and status = 'active' for no key update`, `where id = p_hold for no key update`],
    ],
    schema: `drop index ledger_entries_one_settlement;`,
  },
} satisfies Record<string, Mutant>;

const root = path.resolve('test-output/mutants', randomUUID());
const databases: TestDatabase[] = [];

async function mutantLedger(mutant: Mutant) {
  const dir = path.join(root, randomUUID().slice(0, 8));
  await cp('src', path.join(dir, 'src'), { recursive: true });
  let text = await readFile(mutant.file, 'utf8');
  for (const [original, mutated] of mutant.edits) {
    expect(text, 'the mutation no longer applies: update the mutant').toContain(original);
    text = text.replace(original, mutated);
  }
  const test = await createTestDatabase('mutant', { poolSize: 24 });
  databases.push(test);
  if (mutant.schema !== '') await sql.raw(mutant.schema).execute(test.db);
  if (mutant.file.endsWith('.sql')) {
    await sql.raw(text.replaceAll('create function', 'create or replace function')).execute(test.db);
  } else {
    await writeFile(path.join(dir, mutant.file), text);
  }
  const module = (await import(pathToFileURL(path.join(dir, 'src/credits/ledger.ts')).href)) as {
    CreditLedger: new (db: FacetDatabase, options: LedgerOptions) => CreditLedger;
  };
  return {
    db: test.db,
    ledger: new module.CreditLedger(test.db, { clock: () => new Date(), starterCredits: 10 }),
  };
}

describe('ledger mutants are caught', () => {
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await rm(root, { recursive: true, force: true });
  });

  it('catches a ledger without the overdraft guard', async () => {
    const { db, ledger } = await mutantLedger(mutants['no overdraft guard']);
    const result = await concurrentReserves(db, ledger);
    expect(result.reserved).toBeGreaterThan(3);
    expect(result.violations.join('\n')).toMatch(/overdrawn/);
  });

  it('catches a ledger that does not look up the key inside a transaction', async () => {
    const { db, ledger } = await mutantLedger(mutants['no idempotency check in a transaction']);
    await expect(replaysInsideTransactions(db, ledger)).rejects.toThrow(/duplicate key/);
  });

  it('catches a schema without the unique idempotency key', async () => {
    const { db, ledger } = await mutantLedger(mutants['no unique idempotency key']);
    const account = await freshAccount(db);
    await Promise.all(Array.from({ length: 20 }, () => ledger.grant({ account, amount: 5, key: 'promo' })));
    expect((await ledger.balance(account)).balance).toBeGreaterThan(15);
  });

  it('catches a ledger that can settle a hold twice', async () => {
    const { db, ledger } = await mutantLedger(mutants['settles twice']);
    const result = await racingSettlement(db, ledger).catch((error: unknown) => ({ error }));
    expect(result).not.toMatchObject({ settledTwice: 0, violations: [] });
  });
});
