#!/usr/bin/env node
// The `facet` command. Runs the TypeScript sources from an esbuild bundle of src/, cached in
// node_modules/.cache/facet and rebuilt (~0.3 s) whenever a file under src/ changes; when no bundle
// can be had, directly through tsx's loader as before. The bundle starts ~1 s sooner: tsx's hooks
// run on a loader thread that every imported module waits on, each file of kysely, zod or openai too.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const bundleFormat = 2;
const keepUnusedBundleMs = 24 * 3600_000;
/**
 * Packages compiled into the bundle rather than imported from node_modules: pure ESM whose hundreds
 * of small files cost more to load one by one than to parse once (kysely ~0.2 s instead of ~0.03 s,
 * zod ~0.08 s instead of ~0.04 s). No other package shares their objects with ours.
 */
const bundledPackages = ['kysely', 'zod'];

// Before anything reads the configuration (the early database open below does).
fillFromEnvFile(process.env, path.resolve('.env'));
const { prestart, cli } = await loadSources();
// The embedded database opens (a first start makes its cluster: seconds) while the application loads.
prestart.openEmbeddedDatabaseEarly(argv);
const { runCli } = await cli();
process.exitCode = await runCli(argv);

/**
 * A .env file in the working directory fills the variables the environment leaves unset: the real
 * environment (a shell's export, a process manager, docker run -e) always wins. Parsed by util.parseEnv,
 * the parser of process.loadEnvFile and --env-file, then only unset variables are filled in.
 */
function fillFromEnvFile(environment, file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return;
    process.stderr.write(`facet: cannot read ${file}: ${error.message}\n`);
    process.exit(1);
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (environment[name] === undefined) environment[name] = value;
  }
}

async function loadSources() {
  const directory = await bundle().catch(() => undefined);
  if (directory !== undefined) {
    process.setSourceMapsEnabled(true); // stack traces name src/*.ts lines, as under tsx
    const entry = (name) => pathToFileURL(path.join(directory, `${name}.mjs`)).href;
    return { prestart: await import(entry('prestart')), cli: () => import(entry('facet')) };
  }
  const { register } = await import('tsx/esm/api');
  register();
  return {
    prestart: await import('../src/storage/pglite/pglite-prestart.ts'),
    cli: () => import('../src/cli/facet.ts'),
  };
}

/** The folder of the bundle for the current sources, built if needed. */
async function bundle() {
  const esbuildPath = createRequire(createRequire(import.meta.url).resolve('tsx/package.json')).resolve(
    'esbuild',
  );
  const esbuildVersion = JSON.parse(
    await readFile(path.join(esbuildPath, '../../package.json'), 'utf8'),
  ).version;
  const sources = (await readdir(path.join(root, 'src'), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const inputs = [
    ...sources,
    ...['tsconfig.json', 'package.json', 'bin/facet.js'].map((f) => path.join(root, f)),
    ...bundledPackages.map((name) => path.join(root, 'node_modules', name, 'package.json')), // versions
  ];
  const contents = await Promise.all(inputs.map((file) => readFile(file)));
  const key = createHash('sha256').update(`${bundleFormat}\0${esbuildVersion}\0${process.version}`);
  inputs.forEach((file, index) => key.update(`\0${file}\0`).update(contents[index]));
  const cache = path.join(root, 'node_modules', '.cache', 'facet');
  const directory = path.join(cache, `cli-${key.digest('hex').slice(0, 20)}`);
  if (existsSync(path.join(directory, 'facet.mjs'))) {
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
      entryPoints: { facet: 'src/cli/facet.ts', prestart: 'src/storage/pglite/pglite-prestart.ts' },
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
      plugins: [externalPackagesPlugin(), sourceLocationPlugin()],
    });
    await rename(temporary, directory).catch((error) => {
      if (!existsSync(path.join(directory, 'facet.mjs'))) throw error; // else: another process won
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  await pruneBundles(cache, directory).catch(() => undefined);
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
async function pruneBundles(cache, current) {
  const bundles = [];
  for (const name of await readdir(cache)) {
    const directory = path.join(cache, name);
    if (name.startsWith('cli-') && directory !== current) {
      bundles.push({ directory, usedMs: (await stat(directory)).mtimeMs });
    }
  }
  bundles.sort((a, b) => b.usedMs - a.usedMs);
  for (const { directory, usedMs } of bundles.slice(4)) {
    if (Date.now() - usedMs > keepUnusedBundleMs) await rm(directory, { recursive: true, force: true });
  }
}
