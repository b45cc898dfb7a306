import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The folder of the bundle this code was built into, put in by bin/bundle.js's esbuild `define`; not
 * declared at all when the sources run through tsx.
 */
declare const FACET_BUNDLE_DIR: string | undefined;

/** The modules that start a process or thread of their own, which the bundle also builds as entries. */
export type BundledEntry = 'worker-child' | 'sheet-render-thread';

/**
 * An entry's bundled module when this code runs from the bundle; undefined under tsx. A process or thread
 * started from its bundled module needs no loader: tsx's hooks take a loader thread and ~50 MB resident
 * in each process or thread that registers them (docs/performance.md).
 */
export function bundledEntry(name: BundledEntry): URL | undefined {
  return typeof FACET_BUNDLE_DIR === 'string'
    ? pathToFileURL(path.join(FACET_BUNDLE_DIR, `${name}.mjs`))
    : undefined;
}
