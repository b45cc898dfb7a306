import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { openDatabase } from '../../src/storage/database.ts';

const run = promisify(execFile);

/** A new embedded data folder on a machine with nothing cached: initdb in a child, migrated there. */
describe('a new embedded database', () => {
  const folders: string[] = [];
  const folder = async (label: string) => {
    const made = await mkdtemp(path.join(tmpdir(), `facet-cluster-${label}-`));
    folders.push(made);
    return made;
  };
  afterAll(async () => {
    for (const made of folders) await rm(made, { recursive: true, force: true });
  });

  const applied = async (dataDir: string) => {
    const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'db') });
    try {
      return await db.selectFrom('facet_migrations').select(['name', 'applied_at']).orderBy('name').execute();
    } finally {
      await db.destroy();
    }
  };

  it('comes migrated, and the next one is copied from the cache', async () => {
    const cache = await folder('cache');
    const shipped = (await readdir('migrations')).filter((file) => file.endsWith('.sql')).length;
    const upToDate = `Database up to date (${shipped} migrations applied before).`;

    const first = await folder('first');
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    process.env.XDG_CACHE_HOME = cache; // where pglite-cluster.ts keeps clusters, for this process
    try {
      expect(await runCli(['migrate'], io, { FACET_DATA_DIR: first })).toBe(0);
    } finally {
      delete process.env.XDG_CACHE_HOME;
    }
    expect(lines).toEqual([upToDate]);
    expect(await applied(first)).toHaveLength(shipped);

    // The child writes the migrated cluster to the cache after the data folder, at low priority.
    await expect
      .poll(
        async () => (await readdir(path.join(cache, 'facet'))).filter((n) => /^pglite-.*-m\w+$/.test(n)),
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toHaveLength(1);
    const second = await folder('second');
    const migrated = await run(process.execPath, ['bin/facet.js', 'migrate'], {
      env: { ...process.env, FACET_DATA_DIR: second, XDG_CACHE_HOME: cache },
    });
    expect(migrated.stdout.trim()).toBe(upToDate);
    // The same cluster: its migrations were applied once, when the first folder's cluster was made.
    expect(await applied(second)).toEqual(await applied(first));
  }, 120_000);
});
