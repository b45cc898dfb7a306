/*
 * npm run bench:startup: how long `node bin/facet.js start` takes, with nothing configured, until
 * GET /healthz answers. Each run spawns it on a free port with temporary folders:
 *   cold   an empty data folder and an empty user cache (a new machine: the cluster needs initdb);
 *   first  an empty data folder, the (migrated) cluster cached by the cold start (a new data folder;
 *          the baseline before this cache existed made a cluster here too);
 *   second the same data folder again (a restart).
 * Prints one line per start, then one JSON line last with the medians.
 * Env: BENCH_RUNS (3), BENCH_ROOT (the checkout whose bin/facet.js runs; default this one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configVariables } from '../src/config.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const root = path.resolve(process.env.BENCH_ROOT ?? fileURLToPath(new URL('..', import.meta.url)));
const readyTimeoutMs = 120_000;

type Kind = 'cold' | 'first' | 'second';
type Start = { kind: Kind; run: number; readyMs: number; readyInMs: number | undefined };

const children = new Set<ChildProcess>();
const folders: string[] = [];
const cleanUp = () => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.length = 0;
};
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

async function temporaryFolder(label: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), `facet-bench-${label}-`));
  folders.push(folder);
  return folder;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a machine where nothing is configured: no Facet variable at all. */
function bareEnvironment(dataDir: string, cacheDir: string, port: number): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !(name in configVariables) && name !== 'NODE_OPTIONS',
  );
  return {
    ...Object.fromEntries(inherited),
    FACET_DATA_DIR: dataDir,
    PORT: String(port),
    XDG_CACHE_HOME: cacheDir,
  };
}

async function start(kind: Kind, run: number, dataDir: string, cacheDir: string): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/facet.js'), 'start'], {
    cwd: root,
    env: bareEnvironment(dataDir, cacheDir, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let readyMs: number | undefined;
    while (readyMs === undefined) {
      if (child.exitCode !== null) throw new Error(`facet start exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > readyTimeoutMs) throw new Error(`not ready in time:\n${output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (response.ok) readyMs = performance.now() - started;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    // The "Facet is running" line (with startFacet's own readyInMs) follows the listen closely.
    for (let waited = 0; !/"readyInMs":\d+/.test(output) && waited < 2_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const logged = /"readyInMs":(\d+)/.exec(output)?.[1];
    return { kind, run, readyMs: Math.round(readyMs), readyInMs: logged ? Number(logged) : undefined };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    children.delete(child);
  }
}

/** The cold start's initdb child saves the cluster to the cache after the start, at low priority. */
async function clusterSaved(cache: string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const saved = await readdir(path.join(cache, 'facet')).catch(() => [] as string[]);
    if (saved.some((name) => name.startsWith('pglite-') && !name.includes('.new-'))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
};

console.log(`facet start until /healthz answers, ${runs} run(s), ${root}`);
const starts: Start[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    const cache = await temporaryFolder('cache');
    const cold = await temporaryFolder('cold');
    const fresh = await temporaryFolder('data');
    for (const [kind, dataDir] of [
      ['cold', cold],
      ['first', fresh],
      ['second', fresh],
    ] as const) {
      if (kind === 'first') await clusterSaved(cache);
      const result = await start(kind, run, dataDir, cache);
      starts.push(result);
      console.log(
        `run ${run} ${kind.padEnd(6)} ready in ${String(result.readyMs).padStart(5)} ms` +
          ` (startFacet: ${result.readyInMs ?? '?'} ms)`,
      );
    }
    // The folders go at the end: deleting a run's ~3,000 files just before the next cold start
    // slows the files it makes, on some file systems (ext4 without a journal passes over recently
    // freed inodes), which a new machine does not see.
  }
} finally {
  cleanUp();
}

const of = (kind: Kind) => starts.filter((s) => s.kind === kind);
const summary = {
  runs,
  coldFirstStartMs: median(of('cold').map((s) => s.readyMs)),
  firstStartMs: median(of('first').map((s) => s.readyMs)),
  secondStartMs: median(of('second').map((s) => s.readyMs)),
  startFacetMs: Object.fromEntries(
    (['cold', 'first', 'second'] as const).map((kind) => [
      kind,
      median(of(kind).map((s) => s.readyInMs ?? Number.NaN)),
    ]),
  ),
  starts,
};
console.log(
  `medians: cold ${summary.coldFirstStartMs} ms, first ${summary.firstStartMs} ms, second ${summary.secondStartMs} ms`,
);
console.log(JSON.stringify(summary));
