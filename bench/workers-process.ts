/*
 * The job-worker process of the Slack and Discord benches (forked by bench/workers.ts): the workflow's
 * worker on BullMQ with the Gemini and OpenAI SDKs against the fakes, the local image store the bench
 * serves, and the platform's card notifier (cards are updated by whichever process made the change).
 */
import { pino } from 'pino';
import { systemClock } from '../src/clock.ts';
import { lowerPriority } from '../src/process/lower-priority.ts';
import type { PlatformComposition } from '../src/compose/platform-composition.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { openDatabase } from '../src/storage/database.ts';
import { LocalImageStore } from '../src/storage/images/local-image-store.ts';
import { BullMQJobQueue } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { BullMQChatWorkQueue } from '../src/bots/chat/work/bullmq-chat-work-queue.ts';
import { createWorkflow, type Workflow } from '../src/workflow/workflow.ts';
import { changeOf } from './design-waits.ts';
import { modelClients } from './model-clients.ts';
import { serveParent, tellParent } from './forked-child.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkersRequest, WorkersSettings } from './workers.ts';
import { childProcesses } from '../test/helpers/child-processes.ts';
import { readFile } from 'node:fs/promises';
import { processesCpuMs } from './design-figures.ts';

/** This process's children: the sheet process its sheet jobs draw in. */
const sheetProcesses = async () => (await childProcesses(process.pid)).map(({ pid }) => pid);

/** Resident memory of the given processes, in bytes (VmRSS). */
async function residentBytes(pids: number[]): Promise<number> {
  let bytes = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    bytes += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  }
  return bytes;
}

type Cards = Pick<PlatformComposition, 'notifier' | 'flush' | 'work'>;

let running: { workflow: Workflow; cards: Cards; close: () => Promise<void> } | undefined;

/** No chat platform: the bench is told of every change (bench/design-waits.ts). */
const toTheBench: Cards = {
  notifier: {
    notify: (design) => {
      tellParent(changeOf(design));
      return Promise.resolve();
    },
  },
  flush: () => Promise.resolve(),
};

async function start(settings: WorkersSettings) {
  // As src/process/worker-process.ts does: design work yields the CPU to the receiving process. Facet
  // lowers its worker process as it starts, before Node starts its threads, which inherit the priority;
  // here the process is already running, so each of its threads is lowered.
  lowerPriority(settings.nice);
  const logger = pino({ level: settings.logLevel }, pino.destination(2));
  const db = await openDatabase(
    { kind: 'postgres', url: settings.databaseUrl },
    { poolSize: settings.poolSize },
  );
  const images = new LocalImageStore(settings.images);
  const deps = { db, images, clock: systemClock, logger };
  const cards: Cards =
    settings.cards.platform === 'none'
      ? toTheBench
      : settings.cards.platform === 'slack'
        ? (await import('../src/compose/slack-composition.ts')).composeSlack(
            {
              signingSecret: settings.cards.signingSecret,
              botToken: settings.cards.botToken,
              appToken: undefined,
              oauth: undefined,
              apiUrl: settings.cards.apiUrl,
            },
            deps,
          )
        : (await import('../src/compose/discord-composition.ts')).composeDiscord(
            {
              token: settings.cards.token,
              applicationId: settings.cards.applicationId,
              apiUrl: settings.cards.apiUrl,
              publicKey: settings.cards.publicKey,
            },
            deps,
          );
  const jobs = new BullMQJobQueue({
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    queueName: settings.queueName,
    concurrency: settings.concurrency,
    closeTimeoutMs: 5000,
    logger,
  });
  const ledger = new CreditLedger(db, { clock: systemClock, starterCredits: 1_000_000 });
  const workflow = createWorkflow({
    db,
    ledger,
    jobs,
    ...modelClients(settings),
    images,
    notifier: cards.notifier,
    clock: systemClock,
    holdTtlMs: 60 * 60_000,
    logger,
    reconcileEveryMs: 0,
  });
  await workflow.startWorker();
  // As a worker role does: requests the web processes deferred are worked on here.
  const handler = cards.work?.(workflow.service, ledger);
  const chatWork = handler
    ? new BullMQChatWorkQueue({ redisUrl: settings.redisUrl, prefix: settings.prefix, logger })
    : undefined;
  await chatWork?.process(handler!);
  running = {
    workflow,
    cards,
    close: async () => {
      await chatWork?.close();
      await workflow.close();
      await cards.flush();
      await db.destroy();
    },
  };
  return null;
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

async function run(request: WorkersRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      if (running) throw new Error('already started');
      return start(request.arg);
    case 'flush':
      await running?.cards.flush();
      return null;
    case 'memory':
      return { ...process.memoryUsage(), sheetProcessRss: await residentBytes(await sheetProcesses()) };
    case 'loopDelay': {
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      const figures = {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      };
      loopDelay.reset();
      return figures;
    }
    case 'cpu': {
      const usage = process.cpuUsage();
      const sheets = [...(await processesCpuMs(await sheetProcesses())).values()];
      return { worker: (usage.user + usage.system) / 1000, sheets: sheets.reduce((sum, ms) => sum + ms, 0) };
    }
    case 'close': {
      const closing = running;
      running = undefined;
      await closing?.close();
      return null;
    }
  }
}

serveParent(
  (request) => run(request as WorkersRequest),
  async () => {
    await running?.close();
  },
);
