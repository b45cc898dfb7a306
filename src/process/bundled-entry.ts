import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The folder of the bundle this code was built into, put in by bin/bundle.js's esbuild `define`; not
 * declared at all when the sources run through tsx.
 */
declare const FACET_BUNDLE_DIR: string | undefined;

/** The modules that start a process of their own, which the bundle also builds as entries. */
type BundledEntry = 'worker-child' | 'sheet-render-process';

/**
 * An entry's bundled module when this code runs from the bundle; undefined under tsx. A process started
 * from its bundled module needs no loader: tsx's hooks take a loader thread and ~50 MB resident in each
 * process that registers them (docs/performance.md).
 */
function bundledEntry(name: BundledEntry): URL | undefined {
  return typeof FACET_BUNDLE_DIR === 'string'
    ? pathToFileURL(path.join(FACET_BUNDLE_DIR, `${name}.mjs`))
    : undefined;
}

/**
 * What child_process.fork runs for an entry: its bundled module when Facet runs from the bundle, otherwise
 * `source` (its TypeScript module) through tsx's loader, which Facet always has (a dependency).
 */
export function entryToFork(name: BundledEntry, source: URL): { script: string; execArgv: string[] } {
  const bundled = bundledEntry(name);
  return bundled
    ? // Stack traces name src/*.ts lines, as in the process that started it.
      { script: fileURLToPath(bundled), execArgv: ['--enable-source-maps'] }
    : {
        script: fileURLToPath(source),
        execArgv: ['--import', createRequire(import.meta.url).resolve('tsx')],
      };
}
