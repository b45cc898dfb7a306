/*
 * The program the initdb child runs (initdb-child.ts): plain JavaScript given to `node -e`, because the
 * child runs without our loaders (no tsx) and imports nothing of the application, only PGlite.
 */

/**
 * argv: cluster folder or '-', template folder or '-'. Says so on stdout once the first is written.
 * With an IPC channel, it first runs the parent's statements in the cluster, until the parent says
 * it is done; if the parent goes away instead, it exits without writing anything.
 */
export const initdbChildScript = `
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
