import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { constants, copyFile, readdir, readFile, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RemoteStatement } from './pglite-remote.ts';

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

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const requireHere = createRequire(import.meta.url);
const initdbTimeoutMs = 300_000;
/** Migrated clusters kept per PGlite build: the sets of migrations of the last few checkouts used. */
const keptMigratedTemplates = 3;

/**
 * argv: cluster folder or '-', template folder or '-'. Says so on stdout once the first is written.
 * With an IPC channel, it first runs the parent's statements in the cluster, until the parent says
 * it is done; if the parent goes away instead, it exits without writing anything.
 */
const initdbChild = `
const [clusterDir, templateDir] = process.argv.slice(1);
const { mkdir, readFile, rename, rm, writeFile } = await import('node:fs/promises');
const path = await import('node:path');
const { PGlite } = await import('@electric-sql/pglite');
const pg = await PGlite.create('memory://');
const FS = pg.Module.FS;
if (process.send) await answerStatements();
await pg.close();
function answerStatements() {
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    // Gone without saying it is done: nobody wants this cluster, nor a template of it.
    const gone = () => process.exit(1);
    process.once('disconnect', gone);
    process.on('message', ({ id, sql, parameters, done }) => {
      if (done) {
        process.off('disconnect', gone);
        process.disconnect();
        return void queue.then(resolve);
      }
      queue = queue.then(async () => {
        try {
          const result = parameters.length === 0 ? (await pg.exec(sql)).at(-1) : await pg.query(sql, parameters);
          process.send({ id, rows: result?.rows ?? [], affectedRows: result?.affectedRows });
        } catch (error) {
          process.send({ id, error: { message: String(error?.message ?? error), code: error?.code } });
        }
      });
    });
    process.send({ ready: true });
  });
}
const filesByDirectory = [];
const directories = [];
(function walk(from, to) {
  directories.push([to, FS.stat(from).mode & 0o777]);
  const here = [];
  filesByDirectory.push(here);
  for (const name of FS.readdir(from)) {
    if (name === '.' || name === '..') continue;
    const mode = FS.stat(from + '/' + name).mode;
    if (FS.isDir(mode)) walk(from + '/' + name, path.join(to, name));
    else here.push([from + '/' + name, path.join(to, name), mode & 0o777]);
  }
})('/pglite/data', '');
// One file of each folder in turn: the file system makes files one at a time per folder.
const files = [];
for (let round = 0; filesByDirectory.some((here) => round < here.length); round++) {
  for (const here of filesByDirectory) if (round < here.length) files.push(here[round]);
}
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
      import('./migrator.ts'),
      import('./pglite-remote.ts'),
    ]);
    await migrate(remoteDatabase(await initdb.statements));
    initdb.done();
  } catch (error) {
    initdb.kill();
    throw error;
  }
}

/** <pristine>-m<migrations>: the pristine cluster with our migrations applied. */
function migratedTemplateDirectory(pristine: string): string {
  return `${pristine}-m${migrationsKey()}`;
}

/** The name and text of every migration, as migrate() reads them. */
function migrationsKey(): string {
  const directory = path.join(projectRoot, 'migrations');
  const hash = createHash('sha256');
  for (const name of readdirSync(directory)
    .filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n))
    .sort()) {
    hash
      .update(`${name}\0`)
      .update(readFileSync(path.join(directory, name)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

async function markUsed(directory: string): Promise<void> {
  const now = new Date();
  await utimes(directory, now, now).catch(() => undefined);
}

/** Keeps the migrated clusters of the last few sets of migrations used (40 MB each). */
async function pruneMigratedTemplates(pristine: string, current: string): Promise<void> {
  const prefix = `${path.basename(pristine)}-m`;
  const others = [];
  for (const name of await readdir(path.dirname(pristine))) {
    const directory = path.join(path.dirname(pristine), name);
    if (name.startsWith(prefix) && !name.includes('.new-') && directory !== current) {
      others.push({ directory, usedMs: (await stat(directory)).mtimeMs });
    }
  }
  others.sort((a, b) => b.usedMs - a.usedMs);
  for (const { directory } of others.slice(keptMigratedTemplates - 1)) {
    await rm(directory, { recursive: true, force: true });
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

type Initdb = {
  /** With `migrate`: runs statements in the child's cluster once initdb is done, until `done()`. */
  statements: Promise<RemoteStatement>;
  /** The child goes on: shuts the cluster down and writes it (and the template). */
  done(): void;
  kill(): void;
  /** Resolves once `clusterDir` is complete; the child may go on to write the template, on its own. */
  clusterWritten: Promise<void>;
  exited: Promise<void>;
};

/** Runs initdb in a child. */
function runInitdb(clusterDir: string, templateDir: string, options: { migrate?: boolean } = {}): Initdb {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS; // no loaders or inspector of ours in the child
  // Typed by hand: the overloads know of no IPC channel next to pipes.
  const child = spawn(
    process.execPath,
    ['--liftoff-only', '--input-type=module', '-e', initdbChild, clusterDir, templateDir],
    {
      cwd: projectRoot,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe', options.migrate ? 'ipc' : 'ignore'],
      serialization: 'advanced', // rows keep their Dates and bigints
    },
  ) as ChildProcessByStdio<null, Readable, Readable>;
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
  const statements = remoteStatements(child, exited);
  statements.catch(() => undefined); // awaited only when migrating
  return {
    statements,
    done: () => {
      if (child.connected) child.send({ done: true });
    },
    kill,
    clusterWritten,
    exited,
  };
}

/** The initdb child's statements, over its IPC channel, once it says it is ready for them. */
function remoteStatements(child: ChildProcess, exited: Promise<void>): Promise<RemoteStatement> {
  type Reply = {
    id: number;
    rows: unknown[];
    affectedRows?: number;
    error?: { message: string; code?: string };
  };
  const replies = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  const gone = exited.then(() => Promise.reject(new Error('initdb child exited')));
  gone.catch(() => undefined);
  const run: RemoteStatement = async (sql, parameters) => {
    const id = nextId++;
    const sent = new Promise<Reply>((resolve) => {
      replies.set(id, resolve);
      child.send({ id, sql, parameters });
    });
    const reply = await Promise.race([sent, gone]);
    if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply;
  };
  return new Promise((resolve, reject) => {
    gone.catch(reject);
    child.on('message', (message: Reply | { ready: true }) => {
      if ('ready' in message) return resolve(run);
      replies.get(message.id)?.(message);
      replies.delete(message.id);
    });
  });
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
  const files = interleaveByDirectory(entries.filter((entry) => entry.isFile()).map(relative));
  await Promise.all(
    files.map((file) =>
      copyFile(path.join(source, file), path.join(destination, file), constants.COPYFILE_FICLONE),
    ),
  );
}

/**
 * One file of each folder in turn: the file system makes files one at a time per folder (a cluster
 * has ~300 in each of three), so the thread pool's copies then overlap (twice as fast here).
 */
function interleaveByDirectory(files: readonly string[]): string[] {
  const queues = new Map<string, string[]>();
  for (const file of files) {
    const queue = queues.get(path.dirname(file));
    if (queue) queue.push(file);
    else queues.set(path.dirname(file), [file]);
  }
  const interleaved: string[] = [];
  for (let round = 0; interleaved.length < files.length; round++) {
    for (const queue of queues.values()) {
      const file = queue[round];
      if (file !== undefined) interleaved.push(file);
    }
  }
  return interleaved;
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
