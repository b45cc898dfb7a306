import { cp, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.ts';
import { isMigrated, migrate, MigrationError } from '../../src/storage/migrator.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { adminQuery, adminUrl } from '../helpers/test-database.ts';

const shipped = (await readdir('migrations')).filter((file) => file.endsWith('.sql')).length;

describe('migrations', () => {
  const name = `facet_migrator_${process.pid}`;
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  let folder: string;
  beforeAll(async () => {
    await adminQuery(`drop database if exists ${name} with (force)`);
    await adminQuery(`create database ${name} template template0`);
    folder = await mkdtemp(path.join(tmpdir(), 'facet-migrations-'));
    await cp('migrations', folder, { recursive: true });
  });
  afterAll(async () => {
    await adminQuery(`drop database if exists ${name} with (force)`);
    await rm(folder, { recursive: true, force: true });
  });

  it('applies once even when three processes start together, and is re-runnable', async () => {
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url })));
    try {
      expect(await isMigrated(dbs[0]!, folder)).toBe(false);
      const reports = await Promise.all(dbs.map((db) => migrate(db, folder)));
      expect(reports.map((r) => r.applied.length).sort()).toEqual([0, 0, shipped]);
      expect(await migrate(dbs[0]!, folder)).toEqual({ applied: [], alreadyApplied: shipped });
      expect(await isMigrated(dbs[1]!, folder)).toBe(true);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });

  it('applies a new migration forward and refuses an edited one', async () => {
    const db = await openDatabase({ kind: 'postgres', url });
    try {
      await writeFile(path.join(folder, '0099_note.sql'), 'alter table workspaces add column note text;');
      expect(await isMigrated(db, folder)).toBe(false);
      expect(await migrate(db, folder)).toEqual({ applied: ['0099_note.sql'], alreadyApplied: shipped });
      await appendFile(path.join(folder, '0001_initial.sql'), '\n-- edited after release\n');
      await expect(migrate(db, folder)).rejects.toThrow(MigrationError);
      await expect(migrate(db, folder)).rejects.toThrow(/0001_initial.sql changed after it was applied/);
      await expect(migrate(db, 'migrations')).rejects.toThrow(
        /has migration 0099_note.sql, which this version of Facet does not know/,
      );
    } finally {
      await db.destroy();
    }
  });

  it('keeps the embedded database across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-pglite-'));
    try {
      const first = await openDatabase({ kind: 'pglite', dataDir });
      await migrate(first);
      const created = await ensureWorkspace(first, 'playground', 'local');
      await first.destroy();
      const second = await openDatabase({ kind: 'pglite', dataDir });
      expect(await migrate(second)).toEqual({ applied: [], alreadyApplied: shipped });
      expect((await ensureWorkspace(second, 'playground', 'local')).id).toBe(created.id);
      await second.destroy();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
