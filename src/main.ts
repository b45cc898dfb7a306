import { secretsOf, type Config } from './config.ts';
import { metricsPlacement } from './observability/metrics-placement.ts';
import { startHealthServer, startRouteServer, type HttpServerHandle } from './http/health-server.ts';
import { createLogger, type Logger } from './log.ts';
import { openDatabase } from './storage/database.ts';
import { migrate } from './storage/migrator.ts';
import { workflowAdapters } from './compose/workflow-adapters.ts';
import type { JobQueue } from './workflow/ports/job-queue.ts';
import { FacetMetrics } from './observability/metrics.ts';
import { CreditLedger } from './credits/ledger.ts';
import { systemClock } from './clock.ts';
import { handleImageRequest } from './storage/images/local-image-store.ts';
import { composeDesignPages } from './compose/design-page-composition.ts';
import { createWorkflow, type Workflow } from './workflow/workflow.ts';
import type { Notifier } from './workflow/ports/notifier.ts';
import type { ModelCall } from './workflow/model-calls/model-call.ts';
import type { CostEstimate } from './workflow/model-calls/model-prices.ts';
import type { HttpRoute } from './http/health-server.ts';
import { composeRateLimiter } from './compose/rate-limiter-composition.ts';
import { chatPlatforms } from './compose/chat-platforms.ts';
import { chatWorkHandler, composeChatWork } from './compose/chat-work-composition.ts';
import { startBanner } from './start-banner.ts';
import type { DesignSnapshot } from './workflow/design-snapshot.ts';
import { startWorkerProcess, type WorkerProcess } from './process/worker-process.ts';
import { afterWaitingRequests } from './process/after-waiting-requests.ts';

/**
 * What this process runs. `all` is everything in one process (and the only choice with the embedded
 * database or job runner); `web` serves HTTP (Slack events, OAuth, images, playground); `bot` keeps the
 * Discord gateway (and Slack Socket Mode) connection; `worker` runs the jobs. Every role updates cards.
 */
export const facetRoles = ['all', 'web', 'bot', 'worker'] as const;
export type FacetRole = (typeof facetRoles)[number];

export class RoleConfigError extends Error {}

function checkRole(config: Readonly<Config>, role: FacetRole): void {
  if (role === 'all') return;
  const missing = [
    config.database.kind === 'postgres' ? undefined : 'DATABASE_URL (the embedded database is one process)',
    config.redis ? undefined : 'REDIS_URL (the in-process job runner is one process)',
  ].filter((line) => line !== undefined);
  if (missing.length > 0)
    throw new RoleConfigError(
      `--role ${role} shares work with other processes and needs ${missing.join(' and ')}`,
    );
}

/**
 * Where `--role all` runs its job workers. With Redis and Postgres they run in a process of their own
 * (`own-process`, the default), so that the receiving event loop only receives; the embedded database and
 * job runner are one process and keep them here.
 */
export type JobWorkersPlacement = 'own-process' | 'this-process';

export type StartOptions = {
  jobWorkers?: JobWorkersPlacement;
  /** Set in the job-worker process of a `--role all` (process/worker-child.ts). */
  workerProcess?: {
    /** Every change this process publishes, for the receiving process to show where only it can. */
    onChange: ((design: DesignSnapshot) => void) | undefined;
    /** Every model call its jobs make, for the receiving process's /metrics. */
    onModelCall?: ((call: ModelCall, cost: CostEstimate) => void) | undefined;
  };
};

export type FacetHandle = {
  role: FacetRole;
  url: string;
  /** The /metrics server of FACET_METRICS_PORT, when it has one. */
  metricsUrl: string | undefined;
  logger: Logger;
  workflow: Workflow;
  /** Resolves with the exit code once Facet has stopped. */
  closed: Promise<number>;
  close: () => Promise<void>;
};

/** The composition root: builds the adapters the configuration asks for and starts them. */
export async function startFacet(
  config: Readonly<Config>,
  logger = createLogger(config.logLevel, { secrets: secretsOf(config) }),
  role: FacetRole = 'all',
  options: StartOptions = {},
): Promise<FacetHandle> {
  checkRole(config, role);
  const ownWorkerProcess =
    role === 'all' &&
    config.redis !== undefined &&
    config.database.kind === 'postgres' &&
    (options.jobWorkers ?? 'own-process') === 'own-process';
  const runs = {
    web: role === 'all' || role === 'web',
    bot: role === 'all' || role === 'bot',
    worker: (role === 'all' && !ownWorkerProcess) || role === 'worker',
  };
  const started = Date.now();
  const db = await openDatabase(config.database);
  const report = await migrate(db);
  if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');
  const routes: HttpRoute[] = [];
  // The server starts before the job queue exists (image URLs need its address): not ready until then.
  // Ready only once every chat platform is attached: until then a load balancer would send Slack's
  // requests to a process that answers them 404 (Slack shows dispatch_failed).
  const pending: { jobs?: JobQueue; attached?: boolean } = {};
  const http = await startHealthServer(
    db,
    config.host,
    config.port,
    () => routes,
    async () => {
      if (!pending.jobs || !pending.attached) return 'starting';
      return (await pending.jobs.isReady()) ? undefined : 'job queue (Redis) unreachable';
    },
  );
  let exitCode = 0;
  // Set once the notifiers exist; a change the workers publish before then has nobody here to show it to.
  let localNotify: (design: DesignSnapshot) => Promise<void> = () => Promise.resolve();
  let observeModelCall: (call: ModelCall, cost: CostEstimate) => void = () => undefined;
  let close: () => Promise<void> = () => Promise.resolve();
  // Its own server only serves health checks on a loopback port; images are served by this process.
  const workers: WorkerProcess | undefined = ownWorkerProcess
    ? startWorkerProcess({
        config: {
          ...config,
          host: '127.0.0.1',
          port: 0,
          publicUrl: config.publicUrl ?? http.url,
          metrics: { ...config.metrics, port: undefined },
        },
        logger,
        // Changes the workers make reach what lives in this process only: the playground, the metrics.
        onChange: (design) => void localNotify(design),
        // The workers' model calls are counted on this process's /metrics, the one scraped.
        onModelCall: (call, cost) => observeModelCall(call, cost),
        onGiveUp: () => {
          exitCode = 1;
          void close();
        },
      })
    : undefined;
  const adapters = await workflowAdapters(config, http.url, logger);
  const jobs = adapters.jobs;
  pending.jobs = jobs;
  const metrics = new FacetMetrics({ db, jobCounts: () => jobs.counts() });
  const metricsRoute = metrics.route({ token: config.metrics.token });
  let metricsServer: HttpServerHandle | undefined;
  const placement = metricsPlacement(config);
  if (placement === 'own-port')
    metricsServer = await startRouteServer(metricsRoute, config.metrics.host, config.metrics.port ?? 0);
  else if (placement === 'main-port') routes.push(metricsRoute);
  const localImages = adapters.localImages;
  if (localImages && runs.web)
    routes.push((request, response) => handleImageRequest(localImages, request, response));
  const designPages = await composeDesignPages(config, db, adapters.images, logger, http.url);
  if (runs.web) routes.push(designPages.route);
  const ledger = new CreditLedger(db, { clock: systemClock, starterCredits: config.credits.starterCredits });
  const wanted = chatPlatforms.filter((entry) => entry.wanted(config, role));
  const limits = wanted.length > 0 ? await composeRateLimiter(config, logger) : undefined;
  const chatWork = await composeChatWork(config, logger);
  const platforms = await Promise.all(
    wanted.map((entry) =>
      entry.compose(config, {
        db,
        images: adapters.images,
        clock: systemClock,
        logger,
        observeAck: (seconds) => metrics.observeAck(entry.platform, seconds),
        limiter: limits?.limiter,
        adminGrantsPerDay: config.credits.adminGrantsPerDay,
        budgets: config.ai.budgets,
        designPageLink: designPages.linkFor(entry.platform),
        designLinks: designPages.publicLinks,
        chatWork,
      }),
    ),
  );
  const notifiers = [loggingNotifier(logger), metrics.notifier, ...platforms.map((p) => p.notifier)];
  // What a change made by the worker process still needs here: the notifiers of other processes' cards
  // (Slack, Discord) are the worker process's own.
  const localNotifiers = [
    loggingNotifier(logger),
    metrics.notifier,
    ...platforms.filter((p) => p.platform === 'playground').map((p) => p.notifier),
  ];
  localNotify = async (design: DesignSnapshot) => {
    await Promise.all(localNotifiers.map((n) => n.notify(design))).catch((err: unknown) =>
      logger.warn({ err, designId: design.id }, 'showing a change of the job workers failed'),
    );
  };
  const onChange = options.workerProcess?.onChange;
  const forwardModelCall = options.workerProcess?.onModelCall;
  observeModelCall = (call, cost) => metrics.observeModelCall(call, cost);
  const workflow = createWorkflow({
    ...adapters,
    observeModelCall: (call, cost) => {
      observeModelCall(call, cost);
      forwardModelCall?.(call, cost);
    },
    db,
    ledger,
    notifier: {
      notify: async (design) => {
        onChange?.(design);
        await Promise.all(notifiers.map((n) => n.notify(design)));
      },
    },
    clock: systemClock,
    holdTtlMs: config.credits.holdTtlMs,
    caps: { perWorkspace: config.limits.maxGenerating, perUser: config.limits.maxGeneratingPerUser },
    modelPrices: config.ai.prices,
    budgets: config.ai.budgets,
    logger,
  });
  if (runs.worker) await workflow.startWorker();
  const workOnChat = runs.worker ? chatWorkHandler(platforms, workflow.service, ledger, logger) : undefined;
  if (workOnChat) await chatWork.process(workOnChat);
  const receivingService = afterWaitingRequests(workflow.service);
  const attached = await Promise.all(
    platforms
      .filter((platform) => runs[platform.receives])
      .map((platform) => platform.attach(receivingService, ledger)),
  );
  for (const { route } of attached) if (route) routes.push(route);
  pending.attached = true;

  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  close = () =>
    (closing ??= (async () => {
      // No new requests from here; platforms stop meanwhile, so the playground's open event streams end
      // instead of holding the server's close for its grace period.
      const httpClosed = http.close();
      for (const { stop } of attached) await stop();
      await httpClosed;
      await metricsServer?.close();
      // Requests answered already are worked on before the workflow they need closes.
      await chatWork.close();
      // The worker process finishes its running jobs (or hands them back) and publishes their changes.
      await workers?.close();
      // Counted before the queue closes (BullMQ's connection goes with it): jobs waiting or running now
      // are the work the next start picks up (Redis keeps them; the embedded runner resumes the designs).
      const left =
        runs.worker || workers
          ? await jobs.counts().then(
              (counts) => counts.waiting + counts.delayed + counts.active,
              () => undefined,
            )
          : undefined;
      await workflow.close();
      // Card updates of the last changes reach the platforms before the database they record to closes.
      await Promise.all([...platforms.map((platform) => platform.flush()), limits?.close()]);
      await db.destroy();
      logger.info(
        { jobsLeft: left },
        left === undefined
          ? 'Facet stopped'
          : `Facet stopped; ${left} ${left === 1 ? 'job' : 'jobs'} left for the next start`,
      );
      resolveClosed(exitCode);
    })());
  // Not running until jobs run too: a command acknowledged now would otherwise wait for the workers.
  await workers?.ready.catch(async (error: unknown) => {
    await close();
    throw error;
  });

  logger.info(
    {
      url: http.url,
      database:
        config.database.kind === 'postgres' ? 'postgres' : `embedded PGlite in ${config.database.dataDir}`,
      role,
      jobs: runs.worker
        ? adapters.jobs.name
        : workers
          ? `${adapters.jobs.name} (workers in process ${String(workers.pid())})`
          : `${adapters.jobs.name} (enqueue only)`,
      imageModel: adapters.model.name,
      features: adapters.extractor.name,
      images: adapters.images.name,
      ...Object.fromEntries(
        chatPlatforms.map((entry) => [
          entry.platform,
          platforms.find((p) => p.platform === entry.platform)?.description ?? entry.off,
        ]),
      ),
      readyInMs: Date.now() - started,
    },
    // The worker process of a `--role all` is not what a person starts: the banner is the receiving one's.
    options.workerProcess
      ? 'job workers ready'
      : startBanner(
          config,
          http.url,
          platforms.map((p) => p.platform),
          metricsServer?.url,
        ),
  );
  return { role, url: http.url, metricsUrl: metricsServer?.url, logger, workflow, closed, close };
}

/** Until a chat platform is configured, design changes are only logged. */
function loggingNotifier(logger: Logger): Notifier {
  return {
    notify: (design) => {
      logger.debug({ designId: design.id, state: design.state, version: design.version }, 'design changed');
      return Promise.resolve();
    },
  };
}
