import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The clusters new data folders are copied from, kept in the user cache (~/.cache/facet): a pristine
 * one (initdb only) per PGlite build, and migrated ones per PGlite build and set of migrations, so that
 * neither is ever stale (pglite-cluster.ts says how they are used).
 */

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const requireHere = createRequire(import.meta.url);
/** Migrated clusters kept per PGlite build: the sets of migrations of the last few checkouts used. */
const keptMigratedTemplates = 3;

/** ~/.cache/facet/pglite-<version>-<build>: one pristine cluster per PGlite build. */
export function templateDirectory(): string {
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

/** <pristine>-m<migrations>: the pristine cluster with our migrations applied. */
export function migratedTemplateDirectory(pristine: string): string {
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

export async function markUsed(directory: string): Promise<void> {
  const now = new Date();
  await utimes(directory, now, now).catch(() => undefined);
}

/** Keeps the migrated clusters of the last few sets of migrations used (40 MB each). */
export async function pruneMigratedTemplates(pristine: string, current: string): Promise<void> {
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
