import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isCluster } from './cluster-files.ts';
import { initdbChildScript } from './initdb-child-script.ts';
import type { RemoteStatement } from './pglite-remote.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const initdbTimeoutMs = 300_000;

export type Initdb = {
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
export function runInitdb(
  clusterDir: string,
  templateDir: string,
  options: { migrate?: boolean } = {},
): Initdb {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS; // no loaders or inspector of ours in the child
  // Typed by hand: the overloads know of no IPC channel next to pipes.
  const child = spawn(
    process.execPath,
    ['--liftoff-only', '--input-type=module', '-e', initdbChildScript, clusterDir, templateDir],
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
