import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { prepareEmbeddedCluster } from './pglite-cluster.ts';

/*
 * Opening an embedded database costs PGlite ~0.2 s of loading and instantiating its WebAssembly
 * before it reads the data folder, then ~0.4 s of Postgres starting; a new folder first needs its
 * cluster (pglite-cluster.ts). bin/facet.js starts all this before it loads the application
 * (openEmbeddedEarly), so that they overlap; openDatabase takes the database.
 */

const early = new Map<string, Promise<PGlite>>();

/** The embedded database in `dataDir`, opened by openEmbeddedEarly if it was, else now. */
export function openEmbedded(dataDir: string): Promise<PGlite> {
  const target = path.resolve(dataDir);
  const opening = early.get(target);
  early.delete(target);
  return opening ?? open(target);
}

/** Starts opening `dataDir` for the next openEmbedded(dataDir) to take. */
export function openEmbeddedEarly(dataDir: string): void {
  const target = path.resolve(dataDir);
  if (early.has(target)) return;
  const opening = open(target);
  opening.catch(() => undefined); // whoever takes it sees the error
  early.set(target, opening);
}

async function open(target: string): Promise<PGlite> {
  // First, synchronously: a new folder's cluster is being copied or made (pglite-cluster.ts)...
  const cluster = prepareEmbeddedCluster(target);
  mkdirSync(target, { recursive: true });
  const [{ PGlite }, { NodeFS }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/nodefs'),
  ]);
  // ...while PGlite loads; it reads the folder once the cluster is in place (it would make one there
  // itself if none could be had).
  class ClusterFs extends NodeFS {
    override async initialSyncFs(): Promise<void> {
      await cluster;
    }
  }
  return PGlite.create({ dataDir: target, fs: new ClusterFs(target) });
}
