import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  copyTree,
  isCluster,
  isMissingOrEmpty,
  makeDirectory,
  moveIntoPlace,
  removeAbandonedScratch,
  scratchPath,
} from './cluster-files.ts';
import { clusterTarball } from './cluster-tarball.ts';
import {
  markUsed,
  migratedTemplateDirectory,
  pruneMigratedTemplates,
  templateDirectory,
} from './cluster-templates.ts';
import { runInitdb, type Initdb } from './initdb-child.ts';

/*
 * A new embedded cluster costs PGlite an initdb (seconds of WebAssembly, most of a first start),
 * then our migrations, which a new process runs in cold WebAssembly (~0.8 s). Three shortcuts, each
 * ending with the cluster `PGlite.create(dataDir)` + `close()` (+ `migrate()`) would leave:
 * - a migrated cluster, kept in the user cache (~/.cache/facet) once per PGlite build and set of
 *   migrations (so never stale), is copied in (~0.2 s): openDatabase's migrate() has nothing to do.
 *   `facet prepare` (npm install) makes it, or else the first start that has none;
 * - else a pristine cluster (initdb only), kept once per PGlite build for in-memory databases
 *   (tests), is copied in;
 * - else initdb runs in a child process, which bin/facet.js starts before it loads the application
 *   so the two overlap. The child runs initdb in memory (no file system emulation); this process
 *   then runs its migrate() there, through the child (whose WebAssembly is warm: ~0.1 s); the child
 *   shuts the cluster down cleanly and writes its files out. It runs V8's baseline WebAssembly
 *   compiler only: initdb runs most functions once, so optimising them costs more than it saves.
 *   It then writes the same files to the cache (the migrated cluster) at low priority, while the
 *   parent goes on.
 * A cluster is built beside its folder and moved into place by one rename: a crash leaves no
 * half-made cluster. Any failure leaves the folder as it was, and PGlite creates the cluster in
 * place, as before.
 */

const inFlight = new Map<string, Promise<void>>();

/**
 * Makes sure `dataDir` holds a PGlite cluster, the fast way, when it is missing or empty. Never
 * throws: PGlite.create still has the last word. Concurrent calls for one folder share the work.
 */
export function prepareEmbeddedCluster(dataDir: string): Promise<void> {
  const target = path.resolve(dataDir);
  let pending = inFlight.get(target);
  if (!pending) {
    pending = createCluster(target)
      .catch(() => undefined)
      .finally(() => inFlight.delete(target));
    inFlight.set(target, pending);
  }
  return pending;
}

let pristineTarball: Promise<Blob | undefined> | undefined;

/** The pristine cluster as a tar for PGlite's `loadDataDir` (in-memory databases), if it can be had. */
export function pristineClusterTarball(): Promise<Blob | undefined> {
  pristineTarball ??= readPristineTarball().catch(() => undefined);
  return pristineTarball;
}

async function readPristineTarball(): Promise<Blob | undefined> {
  const template = templateDirectory();
  if (!isCluster(template)) {
    mkdirSync(path.dirname(template), { recursive: true });
    await runInitdb('-', template).exited;
  }
  return isCluster(template) ? await clusterTarball(template) : undefined;
}

/**
 * Makes the migrated cluster that new data folders are copied from, unless it is cached already:
 * `facet prepare`, which npm install runs, so that even a first start finds it. False when it could
 * not be made (no cache folder); a first start then makes it.
 */
export async function prepareClusterTemplate(): Promise<boolean> {
  const pristine = templateDirectory();
  const migrated = migratedTemplateDirectory(pristine);
  if (isCluster(migrated)) return true;
  if (!makeDirectory(path.dirname(migrated))) return false;
  const initdb = runInitdb('-', migrated, { migrate: true });
  await migrateThrough(initdb);
  await initdb.exited;
  await pruneMigratedTemplates(pristine, migrated).catch(() => undefined);
  return isCluster(migrated);
}

/** Synchronous up to the copy or the spawn, so they start before the caller goes on loading modules. */
async function createCluster(target: string): Promise<void> {
  if (isCluster(target) || !isMissingOrEmpty(target)) return;
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const scratch = scratchPath(parent, path.basename(target));
  try {
    const pristine = templateDirectory();
    const migrated = migratedTemplateDirectory(pristine);
    if (isCluster(migrated)) {
      await Promise.all([copyTree(migrated, scratch), markUsed(migrated)]);
    } else if (isCluster(pristine)) {
      await copyTree(pristine, scratch);
    } else {
      const cacheable = makeDirectory(path.dirname(migrated));
      const initdb = runInitdb(scratch, cacheable ? migrated : '-', { migrate: true });
      await removeAbandonedScratch(path.dirname(migrated), path.basename(migrated)).catch(() => undefined);
      await migrateThrough(initdb);
      await initdb.clusterWritten;
      if (cacheable) void pruneMigratedTemplates(pristine, migrated).catch(() => undefined);
    }
    await moveIntoPlace(scratch, target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await removeAbandonedScratch(parent, path.basename(target)).catch(() => undefined);
  }
}

/** Our migrate() in the initdb child's cluster; on failure the child is stopped: no cluster, no template. */
async function migrateThrough(initdb: Initdb): Promise<void> {
  try {
    // Imported here: this module loads before the application, which imports these anyway.
    const [{ migrate }, { remoteDatabase }] = await Promise.all([
      import('../migrator.ts'),
      import('./pglite-remote.ts'),
    ]);
    await migrate(remoteDatabase(await initdb.statements));
    initdb.done();
  } catch (error) {
    initdb.kill();
    throw error;
  }
}
