import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/facet.ts';
import { openDatabase } from '../../src/storage/database.ts';

const run = promisify(execFile);

/** New embedded data folders on a machine whose user cache starts out empty. */
describe('facet prepare, then new embedded databases', () => {
  const folders: string[] = [];
  // Test files share their worker process (vitest.config.ts): the next file sees this process's environment.
  const cacheHomeBefore = process.env.XDG_CACHE_HOME;
  const folder = async (label: string) => {
    const made = await mkdtemp(path.join(tmpdir(), `facet-cluster-${label}-`));
    folders.push(made);
    return made;
  };
  afterAll(async () => {
    if (cacheHomeBefore === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = cacheHomeBefore;
    for (const made of folders) await rm(made, { recursive: true, force: true });
  });

  const cli = async (argv: string[], environment: NodeJS.ProcessEnv) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    expect(await runCli(argv, io, environment)).toBe(0);
    return lines;
  };
  const applied = async (dataDir: string) => {
    const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'db') });
    try {
      return await db.selectFrom('facet_migrations').select(['name', 'applied_at']).orderBy('name').execute();
    } finally {
      await db.destroy();
    }
  };

  it('caches a migrated cluster, which new data folders are copied from', async () => {
    const cache = await folder('cache');
    process.env.XDG_CACHE_HOME = cache; // where src/storage/pglite/ keeps its clusters, for this process
    const prepared = 'Prepared: a new embedded database starts from a cached cluster.';
    expect(await cli(['prepare'], {})).toEqual([prepared]);
    expect((await readdir(path.join(cache, 'facet'))).filter((n) => /^pglite-.*-m\w+$/.test(n))).toHaveLength(
      1,
    );
    expect(await cli(['prepare'], {})).toEqual([prepared]);
    expect(await cli(['prepare'], { DATABASE_URL: 'postgres://localhost/facet' })).toEqual([
      'Nothing to prepare: the database is Postgres (DATABASE_URL).',
    ]);

    const shipped = (await readdir('migrations')).filter((file) => file.endsWith('.sql')).length;
    const upToDate = `Database up to date (${shipped} migrations applied before).`;
    const first = await folder('first');
    const migrated = await run(process.execPath, ['bin/facet.js', 'migrate'], {
      env: { ...process.env, FACET_DATA_DIR: first, XDG_CACHE_HOME: cache },
    });
    expect(migrated.stdout.trim()).toBe(upToDate);
    const second = await folder('second');
    expect(await cli(['migrate'], { FACET_DATA_DIR: second })).toEqual([upToDate]);
    // Copies of one cluster: its migrations were applied once, by `facet prepare`.
    expect(await applied(first)).toHaveLength(shipped);
    expect(await applied(second)).toEqual(await applied(first));
  }, 120_000);
});
