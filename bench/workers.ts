/*
 * The job workers of bench/slack.ts and bench/discord.ts in a process of their own, as `facet start`
 * (--role all with Redis) runs them (src/process/worker-process.ts): the measured process only receives.
 * bench/workers-process.ts wires the worker side as startFacet wires a worker process, with the bench's
 * queue prefix and concurrency, which the production configuration does not expose.
 *
 * As `facet` runs its job-worker process, it runs from an esbuild bundle (bin/bundle.js), whose sheet
 * thread starts from the bundle too: no tsx loader in the process or the thread (each costs ~50 MB
 * resident). BENCH_WORKERS_FROM=sources runs bench/workers-process.ts through tsx instead, as before.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from '../bin/bundle.js';
import type { DesignChange } from './design-waits.ts';
import { forkChild } from './forked-child.ts';
import { workerProcessEnv } from '../src/process/worker-environment.ts';

export type WorkerCards =
  | { platform: 'slack'; signingSecret: string; botToken: string; apiUrl: string }
  /** `publicKey`: HTTP interactions, whose deferred work the workers take from the chat work queue. */
  | { platform: 'discord'; token: string; applicationId: string; apiUrl: string; publicKey?: string }
  /** No chat platform: each change the workers publish is told to the bench (forkWorkers' onChange). */
  | { platform: 'none' };

export type WorkersSettings = {
  databaseUrl: string;
  poolSize: number;
  redisUrl: string;
  prefix: string;
  queueName: string;
  concurrency: number;
  geminiUrl: string;
  openaiUrl: string;
  images: { dir: string; publicUrl: string; secret: string };
  cards: WorkerCards;
  logLevel: string;
  /** The worker process's niceness (as src/process/worker-process.ts sets it; 0 for the same priority). */
  nice: number;
};

export type WorkersRequest =
  | { id: number; op: 'start'; arg: WorkersSettings }
  | { id: number; op: 'flush' | 'cpu' | 'memory' | 'loopDelay' | 'close'; arg: null };

export type BenchWorkers = {
  /** Waits until every card update of the workers has reached the fake platform. */
  flush(): Promise<void>;
  /**
   * CPU used so far, in ms: the worker process's own, and its sheet process's (a restarted one's from 0;
   * the sheets are the workers' work, drawn elsewhere).
   */
  cpuMs(): Promise<{ worker: number; sheets: number }>;
  /** The worker process's memory now (process.memoryUsage()), and its sheet process's resident bytes. */
  memory(): Promise<NodeJS.MemoryUsage & { sheetProcessRss: number }>;
  /**
   * The worker process's event-loop delay since the last call (ms): how long a card update or job step
   * that was ready waited for the loop.
   */
  loopDelayMs(): Promise<{ p50: number; p99: number; max: number }>;
  close(): Promise<void>;
};

export async function forkWorkers(
  settings: WorkersSettings,
  onChange?: (change: DesignChange) => void,
): Promise<BenchWorkers> {
  const fromSources = process.env.BENCH_WORKERS_FROM === 'sources';
  const directory = fromSources
    ? undefined
    : await bundle({
        name: 'bench-workers',
        entryPoints: {
          'workers-process': 'bench/workers-process.ts',
          'sheet-render-process': 'src/workflow/design-jobs/sheet-render-process.ts',
        },
        sourceDirs: ['src', 'bench'],
      });
  const child = forkChild<WorkersRequest['op']>(
    directory
      ? pathToFileURL(path.join(directory, 'workers-process.mjs'))
      : new URL('./workers-process.ts', import.meta.url),
    'job workers',
    // As Facet starts its job-worker process (src/process/worker-process.ts).
    {
      env: workerProcessEnv(),
      onEvent: (event) => onChange?.(event as DesignChange),
      ...(directory ? { execArgv: ['--enable-source-maps'] } : {}),
    },
  );
  await child.call('start', settings);
  return {
    flush: () => child.call('flush', null),
    cpuMs: () => child.call('cpu', null),
    memory: () => child.call('memory', null),
    loopDelayMs: () => child.call('loopDelay', null),
    close: () => child.close(),
  };
}
