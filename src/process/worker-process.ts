import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import type { ModelCall } from '../workflow/model-calls/model-call.ts';
import type { CostEstimate } from '../workflow/model-calls/model-prices.ts';
import { workerProcessEnv } from './worker-environment.ts';
import type { FromWorkerProcess, ToWorkerProcess } from './worker-messages.ts';
import { entryToFork } from './bundled-entry.ts';

export type WorkerProcessOptions = {
  /** The configuration the workers run with (the receiving process's, with its own server settings). */
  config: Config;
  logger: Logger;
  /** Each design change the workers publish, when the receiving process shows changes itself. */
  onChange?: (design: DesignSnapshot) => void;
  /** Each model call the workers make (the receiving process's /metrics counts them). */
  onModelCall?: (call: ModelCall, cost: CostEstimate) => void;
  /** Called once when the workers died too often to go on: the receiving process must stop, loudly. */
  onGiveUp: (reason: string) => void;
  /** Restarts allowed within `restartWindowMs` before giving up. Default 5 within 60 s. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long close() waits for the workers to finish their running jobs before killing them. Default 15 s. */
  closeTimeoutMs?: number;
};

export type WorkerProcess = {
  /** Resolves when the first worker process runs its jobs; rejects if it could not start. */
  ready: Promise<void>;
  /** The current worker process's id (it changes after a restart). */
  pid(): number | undefined;
  close(): Promise<void>;
};

const workerChild = entryToFork('worker-child', new URL('./worker-child.ts', import.meta.url));
/** Below the receiving process's priority (0), not so low that design work starves on a busy machine. */
const workerNiceness = 10;

/**
 * `--role all` with Redis: the job workers run in a process of their own, so that the receiving process's
 * event loop only receives (an ack never waits behind a design's database work, images or card updates).
 * A worker process that dies is started again; one that keeps dying stops Facet (onGiveUp) rather than
 * leaving it acknowledging commands that nothing works on. The child exits when this process goes away.
 */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.restartWindowMs ?? 60_000;
  const logger = options.logger;
  const restarts: number[] = [];
  let child: ChildProcess | undefined;
  let closing = false;
  let settleReady: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  // A rejection nobody awaited yet (close() before ready) must not crash the process.
  ready.catch(() => undefined);

  const spawn = () => {
    const started = fork(workerChild.script, [], {
      execArgv: workerChild.execArgv,
      env: workerProcessEnv(),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = started;
    // Design work yields the CPU to the receiving process, whose acknowledgements have a 3 s deadline.
    if (started.pid !== undefined) {
      try {
        setPriority(started.pid, workerNiceness);
      } catch (err) {
        logger.debug({ err }, 'job worker process priority not lowered');
      }
    }
    started.on('message', (message: FromWorkerProcess) => {
      if (message.type === 'ready') {
        logger.info({ pid: started.pid }, 'job workers running in their own process');
        settleReady?.resolve();
      } else if (message.type === 'design') options.onChange?.(message.design);
      else if (message.type === 'model_call') options.onModelCall?.(message.call, message.cost);
      else logger.error({ pid: started.pid, reason: message.message }, 'job worker process failed to start');
    });
    started.once('exit', (code, signal) => {
      if (child === started) child = undefined;
      if (closing) return;
      const now = Date.now();
      while (restarts.length > 0 && now - (restarts[0] ?? now) > windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        const reason = `the job worker process exited ${restarts.length + 1} times within ${windowMs / 1000} s (last: ${signal ?? `code ${String(code)}`})`;
        logger.fatal({ pid: started.pid, code, signal }, `${reason}; stopping`);
        settleReady?.reject(new Error(reason));
        options.onGiveUp(reason);
        return;
      }
      restarts.push(now);
      // Backoff, so a worker that dies at once does not spin: 0.5, 1, 2, 4, 8 s.
      const delayMs = 500 * 2 ** (restarts.length - 1);
      logger.error(
        { pid: started.pid, code, signal, restartInMs: delayMs },
        'job worker process died; restarting it',
      );
      setTimeout(() => {
        if (!closing) spawn();
      }, delayMs);
    });
    started.send({
      type: 'start',
      config: options.config,
      forwardChanges: options.onChange !== undefined,
    } satisfies ToWorkerProcess);
  };
  spawn();

  return {
    ready,
    pid: () => child?.pid,
    async close() {
      closing = true;
      settleReady?.reject(new Error('closed before the job workers were running'));
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      if (current.connected) current.send({ type: 'close' } satisfies ToWorkerProcess);
      else current.kill('SIGTERM');
      const timeoutMs = options.closeTimeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)),
      );
      if (await Promise.race([exited.then(() => false), timedOut])) {
        // Its running jobs keep their Redis lock until it lapses; another worker then takes them over.
        logger.warn(
          { pid: current.pid, afterMs: timeoutMs },
          'job worker process did not stop in time; killed',
        );
        current.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    },
  };
}
