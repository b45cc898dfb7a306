// Esbuild bundles of Facet's TypeScript sources, cached in node_modules/.cache/facet and rebuilt (~0.3 s)
// whenever a source changes: `facet` runs from one (bin/facet.js), and so do the benches' worker processes,
// so that they run as the product does (bench/workers.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bundleFormat = 3;
const keepUnusedBundleMs = 24 * 3600_000;
/**
 * Packages compiled into the bundle rather than imported from node_modules: pure ESM whose hundreds
 * of small files cost more to load one by one than to parse once (kysely ~0.2 s instead of ~0.03 s,
 * zod ~0.08 s instead of ~0.04 s). No other package shares their objects with ours.
 */
const bundledPackages = ['kysely', 'zod'];

/**
 * The folder of the bundle of `entryPoints` (name to source, relative to the repository) for the current
 * sources of `sourceDirs`, built if needed. `name` keeps each kind of bundle apart in the cache. The
 * bundle's code knows its folder (FACET_BUNDLE_DIR, src/process/bundled-entry.ts): the job-worker process
 * and the sheet process start from its entries of those names, without a loader.
 */
export async function bundle({ name, entryPoints, sourceDirs }) {
  const esbuildPath = createRequire(createRequire(import.meta.url).resolve('tsx/package.json')).resolve(
    'esbuild',
  );
  const esbuildVersion = JSON.parse(
    await readFile(path.join(esbuildPath, '../../package.json'), 'utf8'),
  ).version;
  const sources = [];
  for (const dir of sourceDirs)
    for (const entry of await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }))
      if (entry.isFile()) sources.push(path.join(entry.parentPath, entry.name));
  sources.sort();
  const inputs = [
    ...sources,
    ...['tsconfig.json', 'package.json', 'bin/bundle.js'].map((f) => path.join(root, f)),
    ...bundledPackages.map((name) => path.join(root, 'node_modules', name, 'package.json')), // versions
  ];
  const contents = await Promise.all(inputs.map((file) => readFile(file)));
  // The folder is in the key too: the bundle's code names its own folder (FACET_BUNDLE_DIR), so a
  // checkout that moved builds a bundle of its own rather than one naming the old place.
  const key = createHash('sha256').update(
    `${bundleFormat}\0${esbuildVersion}\0${process.version}\0${root}\0${JSON.stringify(entryPoints)}`,
  );
  inputs.forEach((file, index) => key.update(`\0${file}\0`).update(contents[index]));
  const cache = path.join(root, 'node_modules', '.cache', 'facet');
  const directory = path.join(cache, `${name}-${key.digest('hex').slice(0, 20)}`);
  // A bundle is complete once it is in its folder (it is renamed there whole): its first entry says so.
  const built = () => existsSync(path.join(directory, `${Object.keys(entryPoints)[0]}.mjs`));
  if (built()) {
    const now = new Date();
    await utimes(directory, now, now).catch(() => undefined); // marks it in use for pruning
    return directory;
  }

  const esbuild = await import(pathToFileURL(esbuildPath).href);
  const build = esbuild.build ?? esbuild.default.build;
  const temporary = `${directory}.tmp-${process.pid}`;
  await mkdir(cache, { recursive: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints,
      outdir: temporary,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true, // a dynamic import() stays lazy, with the packages it imports
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      define: { FACET_BUNDLE_DIR: JSON.stringify(directory) },
      plugins: [externalPackagesPlugin(), sourceLocationPlugin()],
    });
    await rename(temporary, directory).catch((error) => {
      if (!built()) throw error; // else: another process won
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  await pruneBundles(cache, `${name}-`, directory).catch(() => undefined);
  return directory;
}

/** Packages stay imports from node_modules, as with `packages: 'external'`, but for bundledPackages. */
function externalPackagesPlugin() {
  return {
    name: 'facet-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path: specifier, kind }) => {
        if (kind === 'entry-point') return undefined;
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        return bundledPackages.includes(name) ? undefined : { path: specifier, external: true };
      });
    },
  };
}

/** import.meta.url and friends keep naming the source file, not the bundle. */
function sourceLocationPlugin() {
  return {
    name: 'facet-source-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, async ({ path: file }) => {
        const text = await readFile(file, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const values = {
          url: JSON.stringify(pathToFileURL(file).href),
          filename: JSON.stringify(file),
          dirname: JSON.stringify(path.dirname(file)),
        };
        return {
          contents: text.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, name) => values[name]),
          loader: 'ts',
        };
      });
    },
  };
}

/**
 * Keeps the five bundles run last and any run within a day (a running process may still import
 * lazy chunks from its own); older ones go.
 */
async function pruneBundles(cache, prefix, current) {
  const bundles = [];
  for (const name of await readdir(cache)) {
    const directory = path.join(cache, name);
    if (name.startsWith(prefix) && directory !== current) {
      bundles.push({ directory, usedMs: (await stat(directory)).mtimeMs });
    }
  }
  bundles.sort((a, b) => b.usedMs - a.usedMs);
  for (const { directory, usedMs } of bundles.slice(4)) {
    if (Date.now() - usedMs > keepUnusedBundleMs) await rm(directory, { recursive: true, force: true });
  }
}
