#!/usr/bin/env node
// The `facet` command. Runs the TypeScript sources from an esbuild bundle of src/, cached in
// node_modules/.cache/facet and rebuilt (~0.3 s) whenever a file under src/ changes; when no bundle
// can be had, directly through tsx's loader as before. The bundle starts ~1 s sooner: tsx's hooks
// run on a loader thread that every imported module waits on, each file of kysely, zod or openai too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { bundle } from './bundle.js';

const argv = process.argv.slice(2);

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
  const directory = await bundle({
    name: 'cli',
    entryPoints: {
      facet: 'src/cli/facet.ts',
      prestart: 'src/storage/pglite/pglite-prestart.ts',
      // The job-worker process and the sheet process start from entries of their own.
      'worker-child': 'src/process/worker-child.ts',
      'sheet-render-process': 'src/workflow/design-jobs/sheet-render-process.ts',
    },
    sourceDirs: ['src'],
  }).catch(() => undefined);
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
