/*
 * One web process of the Discord HTTP bench (forked by bench/discord-web.ts): the health server on
 * 127.0.0.1 (port 0) with the route composeDiscord gives in HTTP mode, the workflow enqueuing on BullMQ
 * (the workers run in a process of their own), as startFacet wires `--role web`.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { pino } from 'pino';
import { systemClock } from '../src/clock.ts';
import { composeDiscord } from '../src/compose/discord-composition.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { startHealthServer } from '../src/http/health-server.ts';
import { afterWaitingRequests } from '../src/process/after-waiting-requests.ts';
import { openDatabase } from '../src/storage/database.ts';
import { LocalImageStore } from '../src/storage/images/local-image-store.ts';
import { BullMQJobQueue } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { BullMQChatWorkQueue } from '../src/bots/chat/work/bullmq-chat-work-queue.ts';
import { createWorkflow } from '../src/workflow/workflow.ts';
import type { BurstFigures, DiscordWebRequest, DiscordWebSettings, LoopFigures } from './discord-web.ts';
import { serveParent } from './forked-child.ts';
import { modelClients } from './model-clients.ts';

let close: (() => Promise<void>) | undefined;
let flush: () => Promise<void> = () => Promise.resolve();
let whole: IntervalHistogram | undefined;
let burst: IntervalHistogram | undefined;
let served: BurstFigures['served'] = [];
const epochNow = () => performance.timeOrigin + performance.now();

const figures = (histogram: IntervalHistogram | undefined): LoopFigures => ({
  p50: Number(((histogram?.percentile(50) ?? 0) / 1e6).toFixed(1)),
  p99: Number(((histogram?.percentile(99) ?? 0) / 1e6).toFixed(1)),
  max: Number(((histogram?.max ?? 0) / 1e6).toFixed(1)),
});

async function start(settings: DiscordWebSettings): Promise<string> {
  const logger = pino({ level: settings.logLevel }, pino.destination(2));
  const db = await openDatabase(
    { kind: 'postgres', url: settings.databaseUrl },
    { poolSize: settings.poolSize },
  );
  const images = new LocalImageStore(settings.images);
  const chatWork = new BullMQChatWorkQueue({ redisUrl: settings.redisUrl, prefix: settings.prefix, logger });
  const composed = composeDiscord(
    {
      token: settings.token,
      applicationId: settings.applicationId,
      apiUrl: settings.apiUrl,
      publicKey: settings.publicKey,
    },
    {
      db,
      images,
      clock: systemClock,
      logger,
      // As `--role web` with Redis: deferred interactions are worked on by the worker process.
      chatWork,
    },
  );
  const jobs = new BullMQJobQueue({
    redisUrl: settings.redisUrl,
    prefix: settings.prefix,
    queueName: settings.queueName,
    concurrency: 1,
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
    notifier: composed.notifier,
    clock: systemClock,
    holdTtlMs: 60 * 60_000,
    logger,
    reconcileEveryMs: 0,
  });
  const attached = await composed.attach(afterWaitingRequests(workflow.service), ledger);
  const route = attached.route;
  if (!route) throw new Error('Discord in HTTP mode gave no route');
  // Stamped on a clock the other processes share, so a request's time splits into its parts.
  const stamped: typeof route = (request, response) => {
    const arrivedAt = epochNow();
    response.once('finish', () => served.push({ arrivedAt, answeredAt: epochNow() }));
    return route(request, response);
  };
  const http = await startHealthServer(db, '127.0.0.1', 0, () => [stamped]);
  whole = monitorEventLoopDelay({ resolution: 5 });
  whole.enable();
  flush = () => composed.flush();
  close = async () => {
    whole?.disable();
    http.server.closeAllConnections();
    await http.close();
    await attached.stop();
    await chatWork.close();
    await workflow.close();
    await composed.flush();
    await db.destroy();
  };
  return `${http.url}/discord/interactions`;
}

async function run(request: DiscordWebRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      if (close) throw new Error('already started');
      return start(request.arg);
    case 'burst-start':
      burst = monitorEventLoopDelay({ resolution: 5 });
      burst.enable();
      served = [];
      return null;
    case 'burst-stop':
      burst?.disable();
      return { ...figures(burst), served };
    case 'whole':
      return figures(whole);
    case 'cpu': {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    }
    case 'flush':
      await flush();
      return null;
    case 'close': {
      const closing = close;
      close = undefined;
      await closing?.();
      return null;
    }
  }
}

serveParent(
  (request) => run(request as DiscordWebRequest),
  () => close?.() ?? Promise.resolve(),
);
