import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

/** Parent → child over IPC: one operation and its argument. */
export type ChildRequest<Op extends string = string> = { id: number; op: Op; arg: unknown };
/** Child → parent: the operation's value, or its error's message. */
export type ChildReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
/** Child → parent, unasked: something the child saw (see tellParent and forkChild's onEvent). */
export type ChildEvent = { event: unknown };

export type ForkedChild<Op extends string> = {
  call<T>(op: Op, arg: unknown): Promise<T>;
  /** Sends `close` and waits for the process to exit. */
  close(): Promise<void>;
};

/**
 * A bench helper (a fake remote service) in a process of its own, so that its CPU is not charged to the
 * measured process; the child answers each request with a ChildReply of the same id. `nice` lowers its
 * priority: a remote service costs the measured machine nothing, so a stand-in that does not measure
 * anything itself should not take the CPU from the process that is measured.
 */
export function forkChild<Op extends string>(
  script: URL,
  label: string,
  options: {
    nice?: number;
    env?: NodeJS.ProcessEnv;
    onEvent?: (event: unknown) => void;
    /** The child's node options (default: this process's, i.e. tsx's loader for a .ts script). */
    execArgv?: string[];
  } = {},
): ForkedChild<Op | 'close'> {
  // BENCH_PROFILE_DIR: forked stand-ins write a CPU profile there when they exit (node --cpu-prof); all of
  // them, or those whose label contains BENCH_PROFILE_LABEL.
  const wanted = process.env.BENCH_PROFILE_LABEL;
  const profileDir =
    wanted === undefined || label.includes(wanted) ? process.env.BENCH_PROFILE_DIR : undefined;
  const baseArgv = options.execArgv ?? process.execArgv;
  const execArgv = profileDir ? [...baseArgv, '--cpu-prof', '--cpu-prof-dir', profileDir] : options.execArgv;
  const child: ChildProcess = fork(script, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    env: options.env,
  });
  if (options.nice !== undefined && child.pid !== undefined) setPriority(child.pid, options.nice);
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: ChildReply | ChildEvent) => {
    if ('event' in message) return options.onEvent?.(message.event);
    const reply = message;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(`${label} process: ${reply.error}`));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the ${label} process exited (${code})`));
    pending.clear();
  });
  const call = <T>(op: Op | 'close', arg: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      child.send({ id, op, arg } satisfies ChildRequest);
    });
  return {
    call,
    async close() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close', null);
      await exited;
    },
  };
}

/** The child's side: runs each request and replies; disconnects after `close`. */
export function serveParent(
  run: (request: ChildRequest) => Promise<unknown>,
  onGone: () => Promise<unknown>,
): void {
  process.on('message', (request: ChildRequest) => {
    run(request).then(
      (value) =>
        process.send?.({ id: request.id, ok: true, value } satisfies ChildReply, undefined, {}, () => {
          if (request.op === 'close') process.disconnect();
        }),
      (error: unknown) =>
        process.send?.({
          id: request.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies ChildReply),
    );
  });
  // The parent is gone (or done): nothing is left to serve.
  process.once('disconnect', () => void onGone().finally(() => process.exit(0)));
}

/** The child's side of forkChild's onEvent: tells the parent something it did not ask for. */
export function tellParent(event: unknown): void {
  if (process.connected) process.send?.({ event } satisfies ChildEvent);
}
