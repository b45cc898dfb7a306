import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { constants, copyFile, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * A new embedded cluster costs PGlite an initdb: seconds of WebAssembly, most of a first start.
 * Two shortcuts, both ending with the cluster `PGlite.create(dataDir)` + `close()` would leave:
 * - a pristine cluster (initdb only: never migrations, so never stale w.r.t. them), kept once per
 *   PGlite build in the user cache (~/.cache/facet), is copied in (~0.2 s);
 * - without one, initdb runs in a child process, which bin/facet.js starts before it loads the
 *   application so the two overlap. The child runs initdb in memory (no file system emulation),
 *   shuts the cluster down cleanly and writes its files out; it runs V8's baseline WebAssembly
 *   compiler only: initdb runs most functions once, so optimising them costs more than it saves.
 *   It then writes the same files to the cache at low priority, while the parent goes on.
 * The cluster is built beside the data folder and moved into place by one rename: a crash leaves
 * no half-made cluster. Any failure leaves the folder as it was, and PGlite creates the cluster in
 * place, as before.
 */

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const requireHere = createRequire(import.meta.url);
const initdbTimeoutMs = 300_000;

/** argv: cluster folder or '-', template folder or '-'. Says so on stdout once the first is written. */
const initdbChild = `
const [clusterDir, templateDir] = process.argv.slice(1);
const { mkdir, readFile, rename, rm, writeFile } = await import('node:fs/promises');
const path = await import('node:path');
const { PGlite } = await import('@electric-sql/pglite');
const pg = await PGlite.create('memory://');
const FS = pg.Module.FS;
await pg.close();
const files = [];
const directories = [];
(function walk(from, to) {
  directories.push([to, FS.stat(from).mode & 0o777]);
  for (const name of FS.readdir(from)) {
    if (name === '.' || name === '..') continue;
    const mode = FS.stat(from + '/' + name).mode;
    if (FS.isDir(mode)) walk(from + '/' + name, path.join(to, name));
    else files.push([from + '/' + name, path.join(to, name), mode & 0o777]);
  }
})('/pglite/data', '');
async function write(target) {
  for (const [directory, mode] of directories) await mkdir(path.join(target, directory), { mode });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let file = files[next++]; file; file = files[next++]) {
      await writeFile(path.join(target, file[1]), FS.readFile(file[0]), { mode: file[2] });
    }
  }));
  const control = await readFile(path.join(target, 'global', 'pg_control'));
  const version = await readFile(path.join(target, 'PG_VERSION'), 'utf8');
  if (control.readInt32LE(16) !== 1 || !/^\\d+/.test(version)) throw new Error('cluster not shut down cleanly');
}
if (clusterDir !== '-') {
  await write(clusterDir);
  process.stdout.write('facet-initdb: cluster written\\n');
  // The template can wait: the parent is starting up now.
  (await import('node:os')).setPriority(19);
}
if (templateDir !== '-') {
  const scratch = templateDir + '.new-' + process.pid + '-' + Math.random().toString(16).slice(2, 10);
  try {
    await write(scratch);
    await rename(scratch, templateDir);
  } catch {
    // someone else's copy got there first, or no cache: nothing lost
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
`;

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
  return isCluster(template) ? await tarball(template) : undefined;
}

/** Synchronous up to the spawn, so the child starts before the caller goes on loading modules. */
async function createCluster(target: string): Promise<void> {
  if (isCluster(target) || !isMissingOrEmpty(target)) return;
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const scratch = scratchPath(parent, path.basename(target));
  try {
    const template = templateDirectory();
    if (isCluster(template)) {
      await copyTree(template, scratch);
    } else {
      const cacheable = makeDirectory(path.dirname(template));
      const initdb = runInitdb(scratch, cacheable ? template : '-');
      await removeAbandonedScratch(path.dirname(template), path.basename(template)).catch(() => undefined);
      await initdb.clusterWritten;
    }
    await moveIntoPlace(scratch, target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await removeAbandonedScratch(parent, path.basename(target)).catch(() => undefined);
  }
}

function isCluster(directory: string): boolean {
  return existsSync(path.join(directory, 'PG_VERSION'));
}

function isMissingOrEmpty(directory: string): boolean {
  try {
    return readdirSync(directory).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function makeDirectory(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

function scratchPath(parent: string, name: string): string {
  return path.join(parent, `${name}.new-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Scratch folders of processes that died mid-way (40 MB each). */
async function removeAbandonedScratch(parent: string, name: string): Promise<void> {
  const pattern = new RegExp(`^${name.replace(/[^\w-]/g, '\\$&')}\\.new-(\\d+)-[0-9a-f]+$`);
  for (const entry of await readdir(parent)) {
    const pid = pattern.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) {
      await rm(path.join(parent, entry), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function moveIntoPlace(scratch: string, target: string): Promise<void> {
  try {
    await rename(scratch, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM') throw error;
    // Another process got there first, or the folder exists empty (rename cannot replace it everywhere).
    if (isCluster(target)) return;
    await rmdir(target);
    await rename(scratch, target);
  }
}

/**
 * Runs initdb in a child. `clusterWritten` resolves once `clusterDir` is complete; the child may
 * go on to write the template, on its own (`exited`).
 */
function runInitdb(
  clusterDir: string,
  templateDir: string,
): { clusterWritten: Promise<void>; exited: Promise<void> } {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS; // no loaders or inspector of ours in the child
  const child = spawn(
    process.execPath,
    ['--liftoff-only', '--input-type=module', '-e', initdbChild, clusterDir, templateDir],
    { cwd: projectRoot, env: environment, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), initdbTimeoutMs).unref();
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', kill);
      if (code === 0) resolve();
      else reject(new Error(`initdb child failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
  exited.catch(() => undefined);
  let stdout = '';
  const clusterWritten = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stdout.includes('facet-initdb: cluster written\n') || !isCluster(clusterDir)) return;
      // The cluster is ours; the child finishes the template alone and may outlive this process.
      process.off('exit', kill);
      child.unref();
      for (const pipe of [child.stdout, child.stderr]) if (pipe instanceof Socket) pipe.unref();
      resolve();
    });
    exited.then(() => reject(new Error('initdb child wrote no cluster')), reject);
  });
  clusterWritten.catch(() => undefined); // awaited only when a cluster was asked for
  return { clusterWritten, exited };
}

/** ~/.cache/facet/pglite-<version>-<build>: one pristine cluster per PGlite build. */
function templateDirectory(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const cacheRoot = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  const dist = path.dirname(requireHere.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const build = createHash('sha256').update(version);
  for (const file of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) {
    build.update(`\0${file}\0${statSync(path.join(dist, file)).size}`);
  }
  return path.join(cacheRoot, 'facet', `pglite-${version}-${build.digest('hex').slice(0, 12)}`);
}

/**
 * Every copy is queued at once, from synchronous calls: the thread pool works through them while
 * this thread is busy loading modules (a concurrency limit would wait on this thread between files).
 */
async function copyTree(source: string, destination: string): Promise<void> {
  const entries = readdirSync(source, { withFileTypes: true, recursive: true });
  const relative = (entry: (typeof entries)[number]) =>
    path.relative(source, path.join(entry.parentPath, entry.name));
  mkdirSync(destination, { mode: statSync(source).mode & 0o777 });
  const directories = entries.filter((entry) => entry.isDirectory()).map(relative);
  for (const directory of directories.sort()) {
    mkdirSync(path.join(destination, directory), {
      mode: statSync(path.join(source, directory)).mode & 0o777,
    });
  }
  const files = entries.filter((entry) => entry.isFile()).map(relative);
  await Promise.all(
    files.map((file) =>
      copyFile(path.join(source, file), path.join(destination, file), constants.COPYFILE_FICLONE),
    ),
  );
}

/** A ustar archive of `directory`, as PGlite's loadDataDir reads it. */
async function tarball(directory: string): Promise<Blob> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const name = path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (entry.isDirectory()) {
      parts.push(tarHeader(`${name}/`, 0, 0o700, '5'));
    } else if (entry.isFile()) {
      const data = await readFile(path.join(directory, name));
      parts.push(tarHeader(name, data.length, 0o600, '0'), data, new Uint8Array(-data.length & 511));
    }
  }
  parts.push(new Uint8Array(1024));
  return new Blob(parts, { type: 'application/x-tar' });
}

function tarHeader(name: string, size: number, mode: number, type: '0' | '5'): Uint8Array {
  if (Buffer.byteLength(name) > 100) throw new Error(`path too long for a tar header: ${name}`);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  header.write(' '.repeat(8), 148);
  header.write(type, 156);
  header.write('ustar\u000000', 257);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}
