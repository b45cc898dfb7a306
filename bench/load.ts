/*
 * node --import tsx bench/load.ts (npm run bench:load): open-loop load. Designs arrive as a Poisson process
 * at BENCH_RATE (300) designs per minute, whatever the service's state, for BENCH_SECONDS (180) after
 * BENCH_WARMUP_SECONDS (30) of the same load; then, stepping the rate up (BENCH_KNEE_RATES), the knee:
 * the highest rate at which the overhead p99 stays under 100 ms and the designs settle as fast as they come.
 *
 * As `facet start` runs with Redis and Postgres: this process is the receiving one (it starts, edits,
 * approves and cancels designs through the design service as the chat platforms get it,
 * afterWaitingRequests, and enqueues on BullMQ); the job workers run in a process of their own
 * (bench/workers.ts, nice 10) and tell this one each change they publish (no chat platform: card updates
 * are bench:slack's subject). Postgres in a database of its own, dropped afterwards; Redis on
 * BENCH_REDIS_URL (db 8 by default, away from the tests' db 0). The Gemini and OpenAI SDKs talk to
 * loopback fakes in a process of their own (same priority as the bench) whose latency is spread like the real services',
 * scaled down: front view 3-6 s, each other view 3-7 s, features 0.5-1.5 s.
 *
 * Each design: a random 1-10 s look at its front view, then approval; 10% are edited once (a second front
 * view, looked at again), 3% have one model call fail with HTTP 503 once (retried by the workflow), 1% are
 * cancelled instead of approved. Figures (bench/design-figures.ts defines them, as bench:workflow uses them):
 * overhead p50/p95/p99 overall and by phase, views-phase ratio, ack-to-card (start asked → the design's
 * first snapshot, which the chat layer posts as its card), machine CPU per design (/proc/stat, every process,
 * over the measured window, per design settled in it), throughput achieved against offered, the knee, and
 * the resident memory of the two processes of the `--role all` at the end and once idle. Retried designs'
 * critical path holds a failure and a backoff: they are counted, not in the overhead figures.
 *
 * Prints its figures as one JSON line last. Exits 1 if a design failed for good or did not settle.
 * Env: BENCH_RATE (300), BENCH_SECONDS (180), BENCH_WARMUP_SECONDS (30), BENCH_KNEE (1; 0 skips it),
 * BENCH_KNEE_SECONDS (45), BENCH_KNEE_WARMUP_SECONDS (20), BENCH_KNEE_RATES (30,60,150,600,1000,1500,2000,
 * 3000,4000: those above BENCH_RATE are stepped up while they hold; if BENCH_RATE did not hold, those below it
 * are stepped down until one holds), BENCH_CONCURRENCY (1000, BullMQ jobs at once in the worker
 * process; Facet runs FACET_JOB_CONCURRENCY, 64 by default), BENCH_POOL (20 Postgres connections per process), BENCH_REDIS_URL
 * (redis://127.0.0.1:6379/8), BENCH_WORKER_NICE (10, as Facet runs its worker process), BENCH_LOG_LEVEL (warn,
 * on stderr), BENCH_SETTLE_SECONDS (15: idle time, once every job is done, before memory is read last).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { systemClock } from '../src/clock.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { afterWaitingRequests } from '../src/process/after-waiting-requests.ts';
import { LocalImageStore } from '../src/storage/images/local-image-store.ts';
import { ensureWorkspace } from '../src/storage/workspaces.ts';
import { BullMQJobQueue } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { createWorkflow, type Workflow } from '../src/workflow/workflow.ts';
import { createTestDatabase } from '../test/helpers/test-database.ts';
import {
  callsByDesign,
  designFigures,
  machineBusyMs,
  overheadPhases,
  percentile,
  processesCpuMs,
  phaseValues,
  round,
  spread,
  type DesignFigures,
  type DesignTimeline,
} from './design-figures.ts';
import { terminalStates, WaitingNotifier, type State } from './design-waits.ts';
import { activeJobKinds, obliterateQueue } from './bench-queue.ts';
import { modelClients } from './model-clients.ts';
import { forkModelFakes } from './model-fakes.ts';
import { forkWorkers, type BenchWorkers } from './workers.ts';

const env = process.env;
const rate = Number(env.BENCH_RATE ?? 300);
const seconds = Number(env.BENCH_SECONDS ?? 180);
const warmupSeconds = Number(env.BENCH_WARMUP_SECONDS ?? 30);
const kneeOn = env.BENCH_KNEE !== '0';
const kneeSeconds = Number(env.BENCH_KNEE_SECONDS ?? 45);
const kneeWarmupSeconds = Number(env.BENCH_KNEE_WARMUP_SECONDS ?? 20);
const allKneeRates = (env.BENCH_KNEE_RATES ?? '30,60,150,600,1000,1500,2000,3000,4000')
  .split(',')
  .map(Number);
const kneeRates = allKneeRates.filter((r) => r > rate).sort((a, b) => a - b);
const kneeRatesBelow = allKneeRates.filter((r) => r < rate).sort((a, b) => b - a);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 1000);
const poolSize = Number(env.BENCH_POOL ?? 20);
const redisUrl = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/8';
const logLevel = env.BENCH_LOG_LEVEL ?? 'warn';
/** As src/process/worker-process.ts runs them: below the receiving process (on a shared machine, below everything else too). */
const workerNice = Number(env.BENCH_WORKER_NICE ?? 10);

const latency = { front: [3000, 6000], view: [3000, 7000], features: [500, 1500], look: [1000, 10_000] };
const share = { edited: 0.1, failing: 0.03, cancelled: 0.01 };
const users = 200;
/** A design that has not moved on this long is not coming: the service fell behind. */
const waitTimeoutMs = 180_000;
/** After a window, how long its designs may take to settle before they count as behind. */
const drainMs = 90_000;
/** Idle time before memory is read the last time (the allocator returns freed pages after a delay). */
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 15);
/** After that, how long the jobs left (contact sheets) may take before the next window starts anyway. */
const queueQuietMs = 300_000;
const targets = { overheadMsP99: 100, viewsPhaseRatioP99: 1.05, kneePerMinute: 1000, rssMb: 300 };

type Plan = 'plain' | 'edited' | 'failing' | 'cancelled';
type Outcome = {
  n: number;
  plan: Plan;
  state: State | 'refused' | 'timed_out';
  arrivedAt: number;
  settledAt: number;
  ackToCardMs: number;
  timeline?: DesignTimeline;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = ([min, max]: number[]) => (min ?? 0) + Math.random() * ((max ?? 0) - (min ?? 0));
const mb = (bytes: number) => round(bytes / 2 ** 20);

const logger = pino({ level: logLevel }, pino.destination(2));
const prefix = `bench-load-${randomUUID().slice(0, 8)}`;
const queueName = 'facet-jobs';
const test = await createTestDatabase('bench_load', { poolSize });
const fakes = await forkModelFakes({
  frontMs: latency.front[0]!,
  frontMaxMs: latency.front[1]!,
  viewMinMs: latency.view[0]!,
  viewMaxMs: latency.view[1]!,
  openaiMs: latency.features[0]!,
  openaiMaxMs: latency.features[1]!,
  // Not niced (unlike bench:slack's): their timers are the model's latency, and on a machine busy with
  // other work a fake at the lowest priority answers late, which would count as Facet's overhead.
});
const dir = await mkdtemp(path.join(tmpdir(), 'facet-bench-load-'));
const notifier = new WaitingNotifier(waitTimeoutMs);
let workflow: Workflow | undefined;
let workers: BenchWorkers | undefined;
try {
  const images = { dir, publicUrl: 'http://127.0.0.1:9', secret: 'bench-secret' };
  const ledger = new CreditLedger(test.db, { clock: systemClock, starterCredits: 1_000_000 });
  const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID().slice(0, 8)}`);
  const queue = { redisUrl, prefix, queueName, concurrency };
  const jobs = new BullMQJobQueue({ ...queue, closeTimeoutMs: 5000, logger });
  workers = await forkWorkers(
    {
      ...queue,
      geminiUrl: fakes.geminiUrl,
      openaiUrl: fakes.openaiUrl,
      databaseUrl: test.url,
      poolSize,
      images,
      cards: { platform: 'none' },
      logLevel,
      nice: workerNice,
    },
    (change) => notifier.record(change),
  );
  workflow = createWorkflow({
    db: test.db,
    ledger,
    jobs,
    ...modelClients(fakes),
    images: new LocalImageStore(images),
    notifier,
    clock: systemClock,
    holdTtlMs: 60 * 60_000,
    logger,
    reconcileEveryMs: 0,
  });
  // No worker here: this process receives and enqueues; the workers run in their own process.
  const service = afterWaitingRequests(workflow.service);
  const settledAt: number[] = [];

  /** One design's life as a person would lead it, from its start to a settled state. */
  const runOne = async (n: number, plan: Plan): Promise<Outcome> => {
    const actor = { userId: `U${n % users}`, isAdmin: false, groups: [] };
    if (plan === 'failing') await fakes.failOnce({ design: n, kind: Math.random() < 0.2 ? 'front' : 'view' });
    const t0 = performance.now();
    const outcome: Outcome = { n, plan, state: 'refused', arrivedAt: t0, settledAt: t0, ackToCardMs: NaN };
    const settle = (state: Outcome['state'], at = performance.now()) => {
      outcome.state = state;
      outcome.settledAt = at;
      settledAt.push(at);
      return outcome;
    };
    const started = await service.start({
      workspaceId: workspace.id,
      actor,
      prompt: `bench product #${n}`,
    });
    if (!started.ok) return settle('refused');
    const id = started.design.id;
    try {
      outcome.ackToCardMs = (notifier.firstSeenAt.get(id) ?? performance.now()) - t0;
      const timeline: DesignTimeline = { t0, awaitingAt: [], editAt: [], approveAt: NaN, completedAt: NaN };
      let iteration = 1;
      for (;;) {
        const awaiting = await notifier.waitFor(id, ['awaiting_approval', ...terminalStates], iteration);
        if (awaiting.state !== 'awaiting_approval') return settle(awaiting.state, awaiting.at);
        timeline.awaitingAt.push(awaiting.at);
        await sleep(between(latency.look));
        if (plan === 'cancelled') {
          await service.cancel({ designId: id, actor });
          const done = await notifier.waitFor(id, terminalStates);
          return settle(done.state, done.at);
        }
        if (plan !== 'edited' || iteration > 1) break;
        timeline.editAt.push(performance.now());
        const edited = await service.edit({ designId: id, actor, iteration, edit: { preset: 'minimal' } });
        if (!edited.ok) throw new Error(`design #${n} not edited: ${JSON.stringify(edited)}`);
        iteration += 1;
      }
      timeline.approveAt = performance.now();
      const approved = await service.approve({ designId: id, actor, iteration });
      if (!approved.ok) throw new Error(`design #${n} not approved: ${JSON.stringify(approved)}`);
      const done = await notifier.waitFor(id, terminalStates);
      timeline.completedAt = done.at;
      outcome.timeline = timeline;
      return settle(done.state, done.at);
    } catch (error) {
      logger.warn({ err: error, n }, 'design did not settle');
      return settle('timed_out');
    } finally {
      notifier.forget(id);
    }
  };

  let nextDesign = 1;
  const inFlight = new Set<Promise<Outcome>>();
  /** Poisson arrivals at `perMinute` for `ms`, on an absolute schedule (a late timer does not slow the rate). */
  const offer = async (perMinute: number, ms: number): Promise<Promise<Outcome>[]> => {
    const launched: Promise<Outcome>[] = [];
    const end = performance.now() + ms;
    let next = performance.now();
    for (;;) {
      next += (-Math.log(1 - Math.random()) * 60_000) / perMinute;
      if (next > end) break;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const roll = Math.random();
      const plan: Plan =
        roll < share.cancelled
          ? 'cancelled'
          : roll < share.cancelled + share.failing
            ? 'failing'
            : roll < share.cancelled + share.failing + share.edited
              ? 'edited'
              : 'plain';
      const running = runOne(nextDesign++, plan);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
      launched.push(running);
    }
    await sleep(Math.max(0, end - performance.now()));
    return launched;
  };

  /** The Postgres backends serving this bench's database (both processes' pools). */
  const backends = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(
        test.db,
      )
    ).rows.map((row) => row.pid);
  /** CPU of this bench's Postgres backends since `before` (a backend that left meanwhile is lost). */
  const postgresCpuMs = async (before: Map<number, number>) => {
    const now = await processesCpuMs([...new Set([...before.keys(), ...(await backends())])]);
    let ms = 0;
    for (const [pid, used] of now) ms += Math.max(0, used - (before.get(pid) ?? 0));
    return ms;
  };

  /** Waits until every design settled, or `ms` passed; resolves with how many are still in flight. */
  const drain = async (ms: number) => {
    const deadline = performance.now() + ms;
    while (inFlight.size > 0 && performance.now() < deadline) await sleep(100);
    return inFlight.size;
  };

  /**
   * Waits until no job runs or waits (holds that expire later may stay delayed), or `ms` passed: the
   * contact sheets of a window are made after it, and the next window starts on a quiet worker.
   */
  const quietQueue = async (ms: number) => {
    const from = performance.now();
    for (;;) {
      const counts = await jobs.counts();
      if (counts.active + counts.waiting === 0 || performance.now() - from > ms) break;
      await sleep(500);
    }
    return round(performance.now() - from, 0);
  };

  /** A warm-up at the rate, then a measured window at the same rate; the window's designs are measured. */
  const measure = async (perMinute: number, windowSeconds: number, warmSeconds: number) => {
    // The warm-up's designs are not measured (they settle through `inFlight`).
    const warm = await offer(perMinute, warmSeconds * 1000);
    logger.debug({ designs: warm.length, perMinute }, 'warm-up offered');
    const firstDesign = nextDesign;
    const fakesBefore = (await fakes.report({ fromDesign: nextDesign + 1e9 })).cpuMs;
    const workersBefore = await workers!.cpuMs();
    await workers!.loopDelayMs();
    const cpuBefore = process.cpuUsage();
    const postgresBefore = await processesCpuMs(await backends());
    const machineBefore = await machineBusyMs();
    const windowStart = performance.now();
    const launched = await offer(perMinute, windowSeconds * 1000);
    const windowEnd = performance.now();
    const machineMs = (await machineBusyMs()) - machineBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const workersAfter = await workers!.cpuMs();
    const sheetsMs = workersAfter.sheets - workersBefore.sheets;
    const workersMs = workersAfter.worker - workersBefore.worker + sheetsMs;
    const workersLoopDelayMs = await workers!.loopDelayMs();
    const postgresMs = await postgresCpuMs(postgresBefore);
    const fakesMs = (await fakes.report({ fromDesign: nextDesign + 1e9 })).cpuMs - fakesBefore;
    const settledInWindow = settledAt.filter((at) => at >= windowStart && at < windowEnd).length;
    // What held the workers' slots when the window closed (a kind piling up shows here).
    const jobsAtWindowEnd = { ...(await jobs.counts()), activeByKind: await activeJobKinds(queue) };
    const behind = await drain(drainMs);
    const queueQuietAfterMs = await quietQueue(queueQuietMs);
    const outcomes = await Promise.all(launched.filter((p) => !inFlight.has(p)));
    const report = await fakes.report({ fromDesign: firstDesign });
    const calls = callsByDesign(report.calls);
    const perDesign: DesignFigures[] = [];
    /** Overheads by the minute of the window in which the design arrived (does it grow as the load lasts?). */
    const byMinute: number[][] = [];
    let retried = 0;
    for (const o of outcomes) {
      if (o.state !== 'completed' || !o.timeline) continue;
      const figures = designFigures(o.timeline, calls.get(o.n) ?? []);
      if (!figures) {
        retried++;
        continue;
      }
      perDesign.push(figures);
      (byMinute[Math.floor((o.arrivedAt - windowStart) / 60_000)] ??= []).push(figures.overheadMs);
    }
    const perSettled = Math.max(1, settledInWindow);
    const windowMinutes = (windowEnd - windowStart) / 60_000;
    const count = (state: Outcome['state']) => outcomes.filter((o) => o.state === state).length;
    const overhead = spread(perDesign.map((f) => f.overheadMs));
    const arrivedPerMinute = round(launched.length / windowMinutes);
    const settledPerMinute = round(settledInWindow / windowMinutes);
    return {
      offeredPerMinute: perMinute,
      windowSeconds: round((windowEnd - windowStart) / 1000),
      designs: launched.length,
      arrivedPerMinute,
      settledPerMinute,
      completed: count('completed'),
      cancelled: count('cancelled'),
      failed: count('failed'),
      refused: count('refused'),
      timedOut: count('timed_out'),
      notSettled: behind,
      measured: perDesign.length,
      retried,
      edited: outcomes.filter((o) => o.plan === 'edited' && o.state === 'completed').length,
      overheadMs: overhead,
      overheadMsP99ByMinute: Array.from({ length: byMinute.length }, (_, i) =>
        round(percentile(byMinute[i] ?? [], 0.99)),
      ),
      overheadByPhaseMs: Object.fromEntries(
        Object.entries(phaseValues(perDesign)).map(([phase, values]) => [phase, spread(values)]),
      ),
      viewsPhaseRatio: spread(
        perDesign.map((f) => f.viewsPhaseRatio),
        3,
      ),
      // How long work that was ready waited for the job workers' event loop during the window.
      workersLoopDelayMs,
      ackToCardMs: spread(outcomes.flatMap((o) => (Number.isNaN(o.ackToCardMs) ? [] : [o.ackToCardMs]))),
      // Every process on the machine (Facet's two, Postgres, Redis, the fakes, the kernel, and whatever
      // else runs here), per design settled in the window; and the same less the fakes (remote services).
      machineCpuMsPerDesign: round(machineMs / Math.max(1, settledInWindow)),
      machineCpuMsPerDesignLessFakes: round((machineMs - fakesMs) / Math.max(1, settledInWindow)),
      machineBusyPercent: round((100 * machineMs) / (windowEnd - windowStart) / availableParallelism()),
      // What a design costs whatever else the machine runs: Facet's two processes and the Postgres
      // backends of its database (Redis, shared with other work here, and Postgres' own writers left out).
      designCpuMsPerDesign: {
        total: round(
          (cpu.user + cpu.system) / 1000 / perSettled + workersMs / perSettled + postgresMs / perSettled,
        ),
        receiving: round((cpu.user + cpu.system) / 1000 / perSettled),
        workers: round(workersMs / perSettled),
        /** Of the workers' share, what their sheet process drew (contact and spec sheets). */
        sheets: round(sheetsMs / perSettled),
        postgres: round(postgresMs / perSettled),
      },
      geminiMaxInFlight: report.gemini.maxInFlight,
      jobsAtWindowEnd,
      queueQuietAfterMs,
      held:
        behind === 0 &&
        count('timed_out') === 0 &&
        overhead.p99 < targets.overheadMsP99 &&
        settledPerMinute >= 0.9 * arrivedPerMinute,
    };
  };
  type Window = Awaited<ReturnType<typeof measure>>;
  const line = (label: string, w: Window) =>
    console.log(
      `${label}: ${w.offeredPerMinute}/min offered, ${w.arrivedPerMinute} arrived, ${w.settledPerMinute} settled ` +
        `per minute; overhead p50/p95/p99 ${w.overheadMs.p50}/${w.overheadMs.p95}/${w.overheadMs.p99} ms, views-phase ` +
        `ratio p50/p99 ${w.viewsPhaseRatio.p50}/${w.viewsPhaseRatio.p99}, ack-to-card p99 ${w.ackToCardMs.p99} ms, ` +
        `machine CPU ${w.machineCpuMsPerDesign} ms/design (${w.machineBusyPercent}% busy), Facet and its Postgres ` +
        `${w.designCpuMsPerDesign.total} ms/design (receiving ${w.designCpuMsPerDesign.receiving}, workers ` +
        `${w.designCpuMsPerDesign.workers} of which sheets ${w.designCpuMsPerDesign.sheets}, Postgres ` +
        `${w.designCpuMsPerDesign.postgres}); workers' loop delay p99/max ${w.workersLoopDelayMs.p99}/` +
        `${w.workersLoopDelayMs.max} ms; ${w.completed} completed ` +
        `(${w.measured} measured, ${w.edited} edited, ${w.retried} retried), ${w.cancelled} cancelled, ${w.failed} ` +
        `failed, ${w.timedOut + w.notSettled} did not settle${w.held ? '' : ' — did NOT hold'}; jobs active at ` +
        `the window's end: ${JSON.stringify(w.jobsAtWindowEnd.activeByKind)}`,
    );

  console.log(
    `load bench: Poisson arrivals at ${rate}/min for ${seconds} s after ${warmupSeconds} s of warm-up ` +
      `(workers: ${concurrency} jobs at once, their own process; ${availableParallelism()} cores)`,
  );
  const main = await measure(rate, seconds, warmupSeconds);
  line('  main', main);
  for (const phase of overheadPhases) {
    const p = main.overheadByPhaseMs[phase];
    if (p) console.log(`    ${phase}: p50 ${p.p50} ms, p95 ${p.p95} ms, p99 ${p.p99} ms`);
  }
  const steps: Window[] = [];
  const memoryOf = (usage: NodeJS.MemoryUsage) => ({
    rss: mb(usage.rss),
    heapUsed: mb(usage.heapUsed),
    heapTotal: mb(usage.heapTotal),
    arrayBuffers: mb(usage.arrayBuffers),
    external: mb(usage.external),
  });
  const memoryNow = async (of: BenchWorkers) => {
    const workers = await of.memory();
    return {
      receiving: memoryOf(process.memoryUsage()),
      workers: memoryOf(workers),
      sheetProcess: { rss: mb(workers.sheetProcessRss) },
    };
  };
  const afterLoad = await memoryNow(workers);
  let knee: number | null = main.held ? rate : null;
  // Up from BENCH_RATE while the steps hold; if BENCH_RATE itself did not hold, down until one does.
  const stepRates = main.held ? kneeRates : kneeRatesBelow;
  if (kneeOn)
    for (const stepRate of stepRates) {
      const step = await measure(stepRate, kneeSeconds, kneeWarmupSeconds);
      steps.push(step);
      line('  knee step', step);
      if (main.held && !step.held) break;
      if (!main.held && step.held) {
        knee = stepRate;
        break;
      }
      if (main.held) knee = stepRate;
    }
  await drain(drainMs);
  const atEnd = await memoryNow(workers);
  // Once the jobs left (contact sheets) are done and BENCH_SETTLE_SECONDS passed with nothing to do:
  // what the processes keep, not the working set of designs in flight.
  const sheetsDoneAfterMs = await quietQueue(queueQuietMs);
  await sleep(settleSeconds * 1000);
  const left = await jobs.counts();
  // Sheets are made two at a time in a lane of their own and may still be far behind (queueQuietMs).
  const jobsLeft = left.waiting + left.active;
  const whenIdle = { sheetsDoneAfterMs, settleSeconds, jobsLeft, ...(await memoryNow(workers)) };
  const figures = {
    bench: 'load',
    rate,
    seconds,
    warmupSeconds,
    cores: availableParallelism(),
    concurrency,
    poolSize,
    workerNice,
    modelLatencyMs: latency,
    shares: share,
    ...main,
    throughput: {
      offeredPerMinute: rate,
      arrivedPerMinute: main.arrivedPerMinute,
      settledPerMinute: main.settledPerMinute,
    },
    knee: kneeOn
      ? {
          perMinute: knee,
          seconds: kneeSeconds,
          warmupSeconds: kneeWarmupSeconds,
          steps: steps.map((s) => ({
            offeredPerMinute: s.offeredPerMinute,
            arrivedPerMinute: s.arrivedPerMinute,
            settledPerMinute: s.settledPerMinute,
            overheadMs: s.overheadMs,
            viewsPhaseRatio: s.viewsPhaseRatio,
            machineCpuMsPerDesign: s.machineCpuMsPerDesign,
            machineBusyPercent: s.machineBusyPercent,
            notSettled: s.notSettled + s.timedOut,
            jobsAtWindowEnd: s.jobsAtWindowEnd,
            queueQuietAfterMs: s.queueQuietAfterMs,
            held: s.held,
          })),
        }
      : null,
    // The `--role all` is two processes here (receiving, which also runs this load generator; job workers).
    memoryMb: { afterLoad, atEnd, whenIdle },
    targets,
    met: {
      overheadP99: main.overheadMs.p99 < targets.overheadMsP99,
      viewsPhaseRatioP99: main.viewsPhaseRatio.p99 <= targets.viewsPhaseRatioP99,
      knee: kneeOn ? (knee ?? 0) >= targets.kneePerMinute : null,
      rss: Math.max(atEnd.receiving.rss, atEnd.workers.rss) < targets.rssMb,
    },
  };
  console.log(
    `  resident memory (heap used) after the main window: receiving ${afterLoad.receiving.rss} MB ` +
      `(${afterLoad.receiving.heapUsed}), workers ${afterLoad.workers.rss} MB (${afterLoad.workers.heapUsed}) and ` +
      `their sheet process ${afterLoad.sheetProcess.rss} MB; at the end: ${atEnd.receiving.rss} MB ` +
      `(${atEnd.receiving.heapUsed}), ${atEnd.workers.rss} MB (${atEnd.workers.heapUsed}), ${atEnd.sheetProcess.rss} MB; ` +
      (jobsLeft === 0
        ? `idle (${settleSeconds} s after the last job): `
        : `${settleSeconds} s after ${round(sheetsDoneAfterMs / 1000, 0)} s of draining, ${jobsLeft} jobs still to do: `) +
      `${whenIdle.receiving.rss} MB (${whenIdle.receiving.heapUsed}), ` +
      `${whenIdle.workers.rss} MB (${whenIdle.workers.heapUsed}), ${whenIdle.sheetProcess.rss} MB`,
  );
  if (kneeOn)
    console.log(
      `  knee: ${knee ?? `below ${Math.min(rate, ...stepRates)}`} designs/min (target >= ${targets.kneePerMinute})`,
    );
  console.log(JSON.stringify(figures));
  const broken = [main, ...steps].some((w) => w.failed > 0);
  if (broken || main.notSettled + main.timedOut > 0) process.exitCode = 1;
} finally {
  await workflow?.close();
  await workers?.close();
  await obliterateQueue({ queueName, redisUrl, prefix }, logger);
  await fakes.close();
  await test.drop();
  await rm(dir, { recursive: true, force: true });
  // Designs that never settled still hold their timers (looks, 180 s waits): nothing is left to measure.
  setTimeout(() => process.exit(), 1000).unref();
}
