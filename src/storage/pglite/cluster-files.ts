import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { constants, copyFile, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';

/*
 * A cluster's folder on disk: whether one is there, and copying one in whole. A cluster is built beside
 * its folder (a scratch folder) and moved into place by one rename, so a crash leaves no half-made one.
 */

export function isCluster(directory: string): boolean {
  return existsSync(path.join(directory, 'PG_VERSION'));
}

export function isMissingOrEmpty(directory: string): boolean {
  try {
    return readdirSync(directory).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export function makeDirectory(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

export function scratchPath(parent: string, name: string): string {
  return path.join(parent, `${name}.new-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Scratch folders of processes that died mid-way (40 MB each). */
export async function removeAbandonedScratch(parent: string, name: string): Promise<void> {
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

export async function moveIntoPlace(scratch: string, target: string): Promise<void> {
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
 * Every copy is queued at once, from synchronous calls: the thread pool works through them while
 * this thread is busy loading modules (a concurrency limit would wait on this thread between files).
 */
export async function copyTree(source: string, destination: string): Promise<void> {
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
