/*
 * node --import tsx bench/scale.ts (npm run bench:scale): does the work scale out? BENCH_DESIGNS (300)
 * designs at once, first with one `facet start --role worker` process, then with two, each run as
 * production runs it (node bin/facet.js, its own BullMQ worker at the default concurrency of 16 jobs,
 * Postgres pool and image folder). The model is the fake Gemini server in this process, answering every
 * request after BENCH_MODEL_MS (1000); there is no OpenAI key, so the workers use the offline extractor.
 *
 * The designs are driven without a chat surface: this process builds the workflow as a web process does
 * (DesignService on a BullMQJobQueue over the same Redis, never taking jobs), starts every design, polls
 * Postgres and approves each one as soon as its front view awaits approval. A design then costs its
 * worker five model calls (front, then back, side, top and bottom in parallel), the offline feature
 * extraction, the finalize step and the contact sheet.
 *
 * Each phase runs on a flushed Redis database (BENCH_REDIS_URL, redis://127.0.0.1:6379/9) and a
 * workspace of its own in one fresh Postgres database (dropped afterwards). Its wall time runs from
 * the first start to the last design completed (designs.finished_at); designs per minute = designs /
 * wall time. Alongside: the model calls in flight (against the 16 x workers job slots), CPU used by each
 * part of the stack (from /proc; this machine's cores are the other possible limit) and this process's
 * event-loop delay (it hosts the fake model).
 *
 * Prints its figures as one JSON line last. Exits 1 if a design did not complete, was not charged exactly
 * its price, a job failed or a worker died; missing the ratio target (1.7) alone still exits 0.
 * Env: BENCH_DESIGNS (300), BENCH_MODEL_MS (1000), BENCH_REDIS_URL (redis://127.0.0.1:6379/9),
 * BENCH_PHASE_TIMEOUT_MS (600000), BENCH_LOG_LEVEL (warn, on stderr).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { OfflineFeatureExtractor } from '../src/ai/offline/offline-feature-extractor.ts';
import { OfflineImageModel } from '../src/ai/offline/offline-image-model.ts';
import { systemClock } from '../src/clock.ts';
import { auditLedger } from '../src/credits/invariants.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { LocalImageStore } from '../src/storage/images/local-image-store.ts';
import type { DesignState } from '../src/storage/schema.ts';
import { ensureWorkspace } from '../src/storage/workspaces.ts';
import { BullMQJobQueue } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { createWorkflow, type Workflow } from '../src/workflow/workflow.ts';
import { startFakeGemini } from '../test/fakes/fake-gemini-server.ts';
import { createTestDatabase } from '../test/helpers/test-database.ts';
import { cores, CpuMeter, pidsNamed } from './scale-cpu.ts';

const designs = Number(process.env.BENCH_DESIGNS ?? 300);
const modelMs = Number(process.env.BENCH_MODEL_MS ?? 1000);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
const phaseTimeoutMs = Number(process.env.BENCH_PHASE_TIMEOUT_MS ?? 600_000);
const workerCounts = [1, 2] as const;
const target = 1.7;
/** BullMQJobQueue's default, which workflowAdapters (the production composition) keeps. */
const jobSlotsPerWorker = 16;
/** Model calls per design: the front view, then the four other views. */
const modelCallsPerDesign = 5;
const starterCredits = 1_000_000;
const pollMs = 100;
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 30_000;
const queueName = 'facet-jobs';
const root = fileURLToPath(new URL('../', import.meta.url));

const terminal: DesignState[] = ['completed', 'failed', 'cancelled', 'expired'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

type Worker = { child: ChildProcess; output: string[]; exited: Promise<number | null>; warnings: number };

type PhaseFigures = {
  workers: number;
  designsPerMinute: number;
  wallMs: number;
  completed: number;
  startsMs: number;
  completionMs: { p50: number; max: number };
  approvalDelayMs: { p50: number; p99: number };
  contactSheetsDoneMs: number;
  designsPerMinuteWithSheets: number;
  jobs: {
    activeMean: number;
    activeByKind: Record<string, number>;
    waitingMean: number;
    slotsIdleWhileWaiting: number;
  };
  modelCalls: number;
  extraModelCalls: number;
  modelInFlight: { mean: number; max: number; slots: number; slotUse: number };
  boundDesignsPerMinute: number;
  cpu: { seconds: number; machinePercent: number; percentOfOneCore: Record<string, number> };
  benchEventLoopDelayMs: { p99: number; max: number };
  workerWarnings: number;
};

const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const failures: string[] = [];
const gemini = await startFakeGemini({ latencyMs: modelMs });
const test = await createTestDatabase('bench_scale', { poolSize: 20 });
const dataDir = await mkdtemp(path.join(tmpdir(), 'facet-bench-scale-'));
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
const workers = new Set<Worker>();
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  console.error('scale bench: interrupted, cleaning up');
});
// Last resort if this process dies with workers still up: they must not outlive the bench.
process.once('exit', () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
});

function startWorker(): Worker {
  const child = spawn(process.execPath, ['bin/facet.js', 'start', '--role', 'worker'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DATABASE_URL: test.url,
      REDIS_URL: redisUrl,
      FACET_DATA_DIR: dataDir,
      GEMINI_API_KEY: 'bench-gemini-key',
      GEMINI_BASE_URL: gemini.url,
      FACET_STARTER_CREDITS: String(starterCredits),
      // Throughput, not fairness, is measured: every design may generate at once (as in this process).
      FACET_MAX_GENERATING: '0',
      FACET_MAX_GENERATING_PER_USER: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: Worker = {
    child,
    output: [],
    warnings: 0,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      if (/"level":(40|50|60)/.test(line)) worker.warnings++;
      // The first lines (startup trouble) and the last ones (what went wrong at the end) are the useful ones.
      if (worker.output.length < 40) worker.output.push(line);
      else worker.output.splice(20, 1, line);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  workers.add(worker);
  return worker;
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGTERM');
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), stopTimeoutMs);
    await worker.exited;
    clearTimeout(timer);
  }
  workers.delete(worker);
}

/** Resolves once `count` BullMQ workers are connected to the queue (their blocking clients are named). */
async function waitForWorkers(queue: Queue, started: Worker[]): Promise<void> {
  const deadline = performance.now() + readyTimeoutMs;
  for (;;) {
    const dead = started.find((w) => w.child.exitCode !== null);
    if (dead) throw new Error(`a worker exited at start:\n${dead.output.join('\n')}`);
    if ((await queue.getWorkersCount()) >= started.length) return;
    if (performance.now() > deadline) throw new Error('workers did not connect to the queue in time');
    await sleep(50);
  }
}

type Row = { id: string; state: DesignState; sheet: boolean };

async function phase(workerCount: number, label: string): Promise<PhaseFigures> {
  await redis.flushdb();
  const queue = new Queue(queueName, { connection: { url: redisUrl } });
  const started = Array.from({ length: workerCount }, () => startWorker());
  let workflow: Workflow | undefined;
  try {
    const readyFrom = performance.now();
    await waitForWorkers(queue, started);
    console.log(
      `  ${label}: ${workerCount} worker process(es) ready in ${Math.round(performance.now() - readyFrom)} ms`,
    );
    const workspace = await ensureWorkspace(test.db, 'slack', `TSCALE${workerCount}`);
    const jobs = new BullMQJobQueue({ redisUrl, queueName, closeTimeoutMs: 5000, logger });
    // Enqueue-only, as a web process: startWorker is never called, so no job runs here. The model,
    // extractor and images given are never used by the service.
    workflow = createWorkflow({
      db: test.db,
      ledger: new CreditLedger(test.db, { clock: systemClock, starterCredits }),
      jobs,
      model: new OfflineImageModel(),
      extractor: new OfflineFeatureExtractor(),
      images: new LocalImageStore({
        dir: path.join(dataDir, 'unused'),
        publicUrl: 'http://127.0.0.1:9',
        secret: 's',
      }),
      notifier: { notify: () => Promise.resolve() },
      clock: systemClock,
      holdTtlMs: 60 * 60_000,
      logger,
    });
    const service = workflow.service;

    const cpu = new CpuMeter({
      workers: () => started.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid])),
      bench: () => [process.pid],
      postgres: () => pidsNamed('postgres'),
      redis: () => pidsNamed('redis-server'),
    });
    const eventLoop = monitorEventLoopDelay({ resolution: 10 });
    const requestsBefore = gemini.requests.length;
    const inFlight: number[] = [];
    const queued: { active: number; waiting: number }[] = [];
    /** Per poll turn, the running jobs by kind: what the job slots are spent on. */
    const activeKinds: Record<string, number>[] = [];
    const cpuFrom = cpu.sample();
    eventLoop.enable();
    const t0 = Date.now();
    const perf0 = performance.now();

    const actorOf = (n: number) => ({ userId: `U${workerCount}X${n}`, isAdmin: false, groups: [] });
    let startsMs = Number.NaN;
    const starting = Promise.all(
      Array.from({ length: designs }, async (_, i) => {
        const n = i + 1;
        const outcome = await service.start({
          workspaceId: workspace.id,
          actor: actorOf(n),
          prompt: `scale product #${n}`,
        });
        if (!outcome.ok) failures.push(`${label}: design #${n} not started: ${outcome.reason}`);
        return outcome.ok ? outcome.design.id : undefined;
      }),
    ).then((ids) => {
      startsMs = performance.now() - perf0;
      return ids;
    });

    // Approve every design as soon as its front view awaits approval; stop when all are finished and
    // every completed one has its contact sheet.
    const requesterOf = new Map<string, number>();
    const approving = new Set<string>();
    const approvals: Promise<void>[] = [];
    let cpuTo: ReturnType<CpuMeter['sample']> | undefined;
    let rows: Row[] = [];
    const deadline = perf0 + phaseTimeoutMs;
    for (;;) {
      if (interrupted) throw new Error('interrupted');
      const dead = started.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`a worker exited during the run:\n${dead.output.join('\n')}`);
      if (performance.now() > deadline) throw new Error(`${label}: designs not finished in time`);
      inFlight.push(gemini.stats().inFlight);
      const counts = await jobs.counts();
      queued.push({ active: counts.active, waiting: counts.waiting });
      const kinds: Record<string, number> = {};
      for (const job of await queue.getJobs(['active'])) kinds[job.name] = (kinds[job.name] ?? 0) + 1;
      activeKinds.push(kinds);
      rows = (
        await test.db
          .selectFrom('designs')
          .leftJoin('revisions', (join) =>
            join
              .onRef('revisions.design_id', '=', 'designs.id')
              .onRef('revisions.number', '=', 'designs.round'),
          )
          .select(['designs.id', 'designs.state', 'designs.requester_id', 'revisions.contact_sheet_key'])
          .where('designs.workspace_id', '=', workspace.id)
          .execute()
      ).map((row) => {
        if (!requesterOf.has(row.id)) requesterOf.set(row.id, Number(row.requester_id.split('X')[1]));
        return { id: row.id, state: row.state, sheet: row.contact_sheet_key !== null };
      });
      for (const row of rows) {
        if (row.state !== 'awaiting_approval' || approving.has(row.id)) continue;
        approving.add(row.id);
        const n = requesterOf.get(row.id) ?? 0;
        approvals.push(
          service.approve({ designId: row.id, actor: actorOf(n), iteration: 1 }).then((outcome) => {
            if (!outcome.ok) failures.push(`${label}: design #${n} not approved: ${outcome.reason}`);
          }),
        );
      }
      const finished = rows.filter((row) => terminal.includes(row.state));
      if (rows.length === designs && finished.length === designs) {
        cpuTo ??= cpu.sample();
        if (finished.every((row) => row.state !== 'completed' || row.sheet)) break;
      }
      await sleep(pollMs);
    }
    const contactSheetsDoneMs = performance.now() - perf0;
    eventLoop.disable();
    await starting;
    await Promise.all(approvals);
    cpuTo ??= cpu.sample();

    const times = await test.db
      .selectFrom('designs')
      .innerJoin('design_iterations', (join) =>
        join
          .onRef('design_iterations.design_id', '=', 'designs.id')
          .on('design_iterations.iteration', '=', 1),
      )
      .select(['designs.finished_at', 'designs.approved_at', 'design_iterations.completed_at as frontAt'])
      .where('designs.workspace_id', '=', workspace.id)
      .where('designs.state', '=', 'completed')
      .execute();
    const completionMs = times.flatMap((t) => (t.finished_at ? [t.finished_at.getTime() - t0] : []));
    const approvalDelayMs = times.flatMap((t) =>
      t.approved_at && t.frontAt ? [t.approved_at.getTime() - t.frontAt.getTime()] : [],
    );
    const wallMs = Math.max(...completionMs);
    const completed = rows.filter((row) => row.state === 'completed').length;
    if (completed !== designs)
      failures.push(
        `${label}: ${completed}/${designs} completed (${rows
          .filter((row) => row.state !== 'completed')
          .map((row) => row.state)
          .join(', ')})`,
      );
    failures.push(...(await verifyCharges(workspace.id, label)));
    const counts = await jobs.counts();
    if (counts.failed > 0) failures.push(`${label}: ${counts.failed} jobs failed for good`);

    const modelCalls = gemini.requests.length - requestsBefore;
    // Samples up to the last completion (the poll loop takes a little more than pollMs per turn).
    const sampleCount = Math.max(1, Math.round((inFlight.length * wallMs) / contactSheetsDoneMs));
    const runSamples = inFlight.slice(0, sampleCount);
    const runQueued = queued.slice(0, sampleCount);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const runKinds = activeKinds.slice(0, sampleCount);
    const kindNames = [...new Set(runKinds.flatMap((kinds) => Object.keys(kinds)))].sort();
    const activeByKind = Object.fromEntries(
      kindNames.map((name) => [name, round(mean(runKinds.map((kinds) => kinds[name] ?? 0)))]),
    );
    const slots = jobSlotsPerWorker * workerCount;
    const meanInFlight = runSamples.reduce((a, b) => a + b, 0) / runSamples.length;
    const workerWarnings = started.reduce((sum, w) => sum + w.warnings, 0);
    return {
      workers: workerCount,
      designsPerMinute: round(completed / (wallMs / 60_000)),
      wallMs,
      completed,
      startsMs: Math.round(startsMs),
      completionMs: { p50: percentile(completionMs, 0.5), max: wallMs },
      approvalDelayMs: { p50: percentile(approvalDelayMs, 0.5), p99: percentile(approvalDelayMs, 0.99) },
      contactSheetsDoneMs: Math.round(contactSheetsDoneMs),
      modelCalls,
      extraModelCalls: modelCalls - modelCallsPerDesign * designs,
      jobs: {
        activeMean: round(mean(runQueued.map((q) => q.active))),
        activeByKind,
        waitingMean: round(mean(runQueued.map((q) => q.waiting))),
        // Turns when work was waiting yet a job slot was free: the queue, not the slots, held it back.
        slotsIdleWhileWaiting: round(
          mean(runQueued.map((q) => (q.waiting > 0 && q.active < slots ? 1 : 0))),
          2,
        ),
      },
      designsPerMinuteWithSheets: round(completed / (contactSheetsDoneMs / 60_000)),
      modelInFlight: {
        mean: round(meanInFlight),
        max: Math.max(...inFlight),
        slots,
        slotUse: round(meanInFlight / slots, 2),
      },
      boundDesignsPerMinute: round((60_000 * slots) / (modelCallsPerDesign * modelMs)),
      cpu: CpuMeter.report(cpuFrom, cpuTo),
      benchEventLoopDelayMs: {
        p99: round(eventLoop.percentile(99) / 1e6),
        max: round(eventLoop.max / 1e6),
      },
      workerWarnings,
    };
  } finally {
    await workflow?.close();
    await Promise.all(started.map(stopWorker));
    await queue.close();
    for (const worker of started)
      if (worker.warnings > 0)
        logger.warn({ output: worker.output.slice(-10) }, `${label}: a worker logged warnings`);
  }
}

/** Every design of the workspace charged exactly its price, once, with nothing left held. */
async function verifyCharges(workspaceId: string, label: string): Promise<string[]> {
  const problems: string[] = [];
  const rows = await test.db
    .selectFrom('designs')
    .leftJoin('credit_holds', 'credit_holds.id', 'designs.hold_id')
    .leftJoin('revisions', (join) =>
      join.onRef('revisions.design_id', '=', 'designs.id').onRef('revisions.number', '=', 'designs.round'),
    )
    .leftJoin('credit_accounts', (join) =>
      join
        .onRef('credit_accounts.workspace_id', '=', 'designs.workspace_id')
        .onRef('credit_accounts.user_id', '=', 'designs.requester_id'),
    )
    .select([
      'designs.id',
      'designs.base_price',
      'designs.charged',
      'credit_holds.status as holdStatus',
      'credit_holds.amount as holdAmount',
      'revisions.charged as revisionCharged',
      'credit_accounts.posted_debits',
      'credit_accounts.pending_debits',
    ])
    .where('designs.workspace_id', '=', workspaceId)
    .execute();
  for (const row of rows) {
    const price = row.base_price;
    const wrong = [
      row.charged === price ? undefined : `charged ${row.charged}`,
      row.holdStatus === 'captured' && row.holdAmount === price
        ? undefined
        : `hold ${row.holdStatus} ${row.holdAmount}`,
      row.revisionCharged === price ? undefined : `revision charged ${row.revisionCharged}`,
      row.posted_debits === price && row.pending_debits === 0
        ? undefined
        : `account debits ${row.posted_debits}, pending ${row.pending_debits}`,
    ].filter((line) => line !== undefined);
    if (wrong.length > 0) problems.push(`${label}: design ${row.id} (price ${price}): ${wrong.join('; ')}`);
  }
  if (rows.length !== designs) problems.push(`${label}: ${rows.length} designs in the database`);
  return problems.slice(0, 20);
}

function describe(figures: PhaseFigures, label: string): void {
  const cpu = figures.cpu.percentOfOneCore;
  console.log(
    `  ${label}: ${figures.completed}/${designs} completed in ${figures.wallMs} ms -> ` +
      `${figures.designsPerMinute} designs/min (bound at ${figures.modelInFlight.slots} job slots: ` +
      `${figures.boundDesignsPerMinute}/min)`,
  );
  console.log(
    `    completion p50 ${figures.completionMs.p50} ms; approvals ${figures.approvalDelayMs.p50} ms after ` +
      `the front view (p99 ${figures.approvalDelayMs.p99}); starts took ${figures.startsMs} ms; ` +
      `contact sheets done at ${figures.contactSheetsDoneMs} ms`,
  );
  console.log(
    `    model calls ${figures.modelCalls} (${figures.extraModelCalls} beyond 5 per design), in flight ` +
      `mean ${figures.modelInFlight.mean} / max ${figures.modelInFlight.max} of ` +
      `${figures.modelInFlight.slots} slots (${Math.round(figures.modelInFlight.slotUse * 100)}% used); ` +
      `jobs active mean ${figures.jobs.activeMean}, waiting mean ${figures.jobs.waitingMean}, a slot free ` +
      `while jobs waited in ${Math.round(figures.jobs.slotsIdleWhileWaiting * 100)}% of samples`,
  );
  console.log(
    `    job slots by kind (mean running): ${Object.entries(figures.jobs.activeByKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `    CPU (% of one core over ${round(figures.cpu.seconds)} s): workers ${cpu.workers}, postgres ` +
      `${cpu.postgres}, redis ${cpu.redis}, bench+fake model ${cpu.bench}, other processes ` +
      `${cpu.others}; machine ` +
      `${figures.cpu.machinePercent}% of ${cores} cores; bench event loop p99 ` +
      `${figures.benchEventLoopDelayMs.p99} ms`,
  );
}

const results: PhaseFigures[] = [];
try {
  console.log(
    `scale bench: ${designs} designs at once, model ${modelMs} ms per image, ${jobSlotsPerWorker} job ` +
      `slots per worker, ${cores} cores`,
  );
  const idle = new CpuMeter({});
  const idleFrom = idle.sample();
  await sleep(1000);
  const background = CpuMeter.report(idleFrom, idle.sample()).machinePercent;
  console.log(`  machine busy before the bench: ${background}% of ${cores} cores (other processes)`);
  for (const workerCount of workerCounts) {
    const label = `${workerCount} worker${workerCount === 1 ? '' : 's'}`;
    const figures = await phase(workerCount, label);
    describe(figures, label);
    results.push(figures);
  }
  const audit = await auditLedger(test.db);
  if (audit.violations.length > 0) failures.push(...audit.violations.slice(0, 20));
  const [one, two] = results;
  if (!one || !two) throw new Error('a phase is missing');
  const ratio = round(two.designsPerMinute / one.designsPerMinute, 2);
  const compact = (f: PhaseFigures) => ({
    designsPerMinute: f.designsPerMinute,
    wallMs: f.wallMs,
    completed: f.completed,
    designsPerMinuteWithSheets: f.designsPerMinuteWithSheets,
    modelInFlightMean: f.modelInFlight.mean,
    jobsActiveMean: f.jobs.activeMean,
    jobsActiveByKind: f.jobs.activeByKind,
    jobSlots: f.modelInFlight.slots,
    boundDesignsPerMinute: f.boundDesignsPerMinute,
    extraModelCalls: f.extraModelCalls,
    cpuPercentOfOneCore: f.cpu.percentOfOneCore,
    machineCpuPercent: f.cpu.machinePercent,
    approvalDelayMsP50: f.approvalDelayMs.p50,
    benchEventLoopP99Ms: f.benchEventLoopDelayMs.p99,
  });
  console.log(
    `  ratio ${ratio} (target >= ${target}): ${ratio >= target ? 'met' : 'NOT met'}; ledger ` +
      (audit.violations.length === 0 ? 'consistent' : 'INCONSISTENT'),
  );
  for (const failure of failures) console.log(`  FAILED: ${failure}`);
  console.log(
    JSON.stringify({
      bench: 'scale',
      designs,
      modelLatencyMs: modelMs,
      workers1: compact(one),
      workers2: compact(two),
      ratio,
      target,
      met: ratio >= target,
      cores,
      backgroundMachineCpuPercent: background,
      jobSlotsPerWorker,
      ledgerConsistent: audit.violations.length === 0,
      failures: failures.length,
    }),
  );
  if (failures.length > 0) process.exitCode = 1;
} catch (error) {
  console.error('scale bench failed:', error);
  for (const failure of failures) console.error(`  ${failure}`);
  process.exitCode = 1;
} finally {
  await Promise.all([...workers].map(stopWorker));
  await redis.flushdb().catch((err: unknown) => logger.warn({ err }, 'redis flush failed'));
  redis.disconnect();
  await gemini.close();
  await test.drop();
  await rm(dataDir, { recursive: true, force: true });
}
