/*
 * node --import tsx bench/workflow.ts: BENCH_DESIGNS (100) designs at once through the real workflow
 * (BullMQ on Redis, Postgres in a database of its own, Gemini and OpenAI SDKs against loopback fakes that
 * run in a process of their own, local image store). Front views take 1000 ms, the four other views
 * 1000-1500 ms each. Every design is approved as soon as it awaits approval. Measures how close the views
 * phase comes to its slowest view and how much time the workflow adds to the model time on each design's
 * critical path, split by phase, and what a design costs in CPU (docs/performance.md reads the figures).
 * A warm service is measured: unmeasured rounds of the same size run first.
 * Also prints this process's memory after each round (and in the figures): BENCH_WARMUP_ROUNDS=15 shows
 * whether it grows with the designs done (with NODE_OPTIONS=--expose-gc the heap is taken after a full
 * collection: what is kept).
 * Prints its figures as one JSON line last. Env: BENCH_DESIGNS (100), BENCH_CONCURRENCY (500),
 * BENCH_POOL (30), BENCH_WARMUP_ROUNDS (1), BENCH_REDIS_URL (redis://127.0.0.1:6379),
 * BENCH_SETTLE_SECONDS (15: idle time before memory is read the last time), BENCH_LOG_LEVEL (warn, on
 * stderr), BENCH_CPU_PROFILE (a file: the measured window's CPU profile of this process is written there).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import sharp from 'sharp';
import type { GeminiImageModel } from '../src/ai/gemini/gemini-image-model.ts';
import { CreditLedger } from '../src/credits/ledger.ts';
import { LocalImageStore } from '../src/storage/images/local-image-store.ts';
import { ensureWorkspace } from '../src/storage/workspaces.ts';
import { BullMQJobQueue } from '../src/workflow/jobs/bullmq-job-queue.ts';
import { createWorkflow, type Workflow } from '../src/workflow/workflow.ts';
import { createTestDatabase } from '../test/helpers/test-database.ts';
import {
  callsByDesign,
  designFigures,
  cpuMsByCommand,
  cpuMsSince,
  machineBusyMs,
  percentile,
  phaseValues,
  round,
  type DesignFigures,
} from './design-figures.ts';
import { terminalStates as terminal, WaitingNotifier, type State } from './design-waits.ts';
import { obliterateQueue } from './bench-queue.ts';
import { watchLoop } from './loop-watch.ts';
import { modelClients } from './model-clients.ts';
import { calibrationPrompt, forkModelFakes, type FakesReport } from './model-fakes.ts';

const designs = Number(process.env.BENCH_DESIGNS ?? 100);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 500);
const poolSize = Number(process.env.BENCH_POOL ?? 30);
const warmupRounds = Number(process.env.BENCH_WARMUP_ROUNDS ?? 1);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const frontMs = 1000;
const viewMinMs = 1000;
const viewMaxMs = 1500;
const openaiMs = 20;
const waitTimeoutMs = 60_000;
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 15);

/**
 * Event-loop time of one image request through the Gemini client (the fake answers at once), as the view
 * requests of a burst of approvals are made: a floor under the views phase that no orchestration removes.
 */
async function modelClientCost(model: GeminiImageModel, calls: number): Promise<number> {
  const reference = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const before = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: calls }, (_, i) =>
      model.generate({
        designId: 'calibration',
        view: 'back',
        prompt: `${calibrationPrompt} ${i}`,
        productDescription: 'calibration',
        references: [{ png: reference, role: 'approved_front' }],
      }),
    ),
  );
  return performance.eventLoopUtilization(before).active / calls;
}

type Result = {
  n: number;
  id: string;
  state: State;
  completedAt: number;
  approvalMs: number;
  completionMs: number;
  viewsPhaseMs: number;
  approvalWaitMs: number;
  t0: number;
  awaitingAt: number;
  approveAt: number;
};

const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const prefix = `bench-workflow-${randomUUID().slice(0, 8)}`;
const queueName = 'facet-jobs';
const test = await createTestDatabase('bench_workflow', { poolSize });
const fakes = await forkModelFakes({ frontMs, viewMinMs, viewMaxMs, openaiMs });
const dir = await mkdtemp(path.join(tmpdir(), 'facet-bench-workflow-'));
let workflow: Workflow | undefined;
try {
  const images = new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:9', secret: 'bench-secret' });
  const ledger = new CreditLedger(test.db, { clock: () => new Date(), starterCredits: 1_000_000 });
  const notifier = new WaitingNotifier(waitTimeoutMs);
  const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID().slice(0, 8)}`);
  const jobs = new BullMQJobQueue({
    redisUrl,
    prefix,
    queueName,
    concurrency,
    closeTimeoutMs: 5000,
    logger,
  });
  const { model, extractor } = modelClients(fakes);
  workflow = createWorkflow({
    db: test.db,
    ledger,
    jobs,
    model,
    extractor,
    images,
    notifier,
    clock: () => new Date(),
    holdTtlMs: 60 * 60_000,
    logger,
    reconcileEveryMs: 0,
  });
  await workflow.startWorker();
  const service = workflow.service;

  const runOne = async (n: number): Promise<Result> => {
    const actor = { userId: `U${n}`, isAdmin: false, groups: [] };
    const t0 = performance.now();
    const started = await service.start({ workspaceId: workspace.id, actor, prompt: `bench product #${n}` });
    if (!started.ok) throw new Error(`design #${n} not started: ${JSON.stringify(started)}`);
    const id = started.design.id;
    const awaiting = await notifier.waitFor(id, ['awaiting_approval', ...terminal]);
    const failed = (state: State): Result => ({
      n,
      id,
      state,
      completedAt: Number.NaN,
      approvalMs: awaiting.at - t0,
      completionMs: Number.NaN,
      viewsPhaseMs: Number.NaN,
      approvalWaitMs: Number.NaN,
      t0,
      awaitingAt: awaiting.at,
      approveAt: Number.NaN,
    });
    if (awaiting.state !== 'awaiting_approval') return failed(awaiting.state);
    const approveAt = performance.now();
    const approved = await service.approve({ designId: id, actor, iteration: 1 });
    if (!approved.ok) return failed(approved.reason === 'finished' ? 'failed' : awaiting.state);
    const done = await notifier.waitFor(id, terminal);
    if (done.state !== 'completed') return failed(done.state);
    return {
      n,
      id,
      state: done.state,
      completedAt: done.at,
      approvalMs: awaiting.at - t0,
      completionMs: done.at - t0,
      viewsPhaseMs: done.at - approveAt,
      approvalWaitMs: approveAt - awaiting.at,
      t0,
      awaitingAt: awaiting.at,
      approveAt,
    };
  };

  // A running service is warm: its code is compiled and optimised (V8 needs thousands of model calls and
  // statements for that) and its connections are open. Unmeasured rounds of the same size run first.
  const waitForSheets = async (ids: string[]) => {
    const deadline = performance.now() + waitTimeoutMs;
    while (ids.some((id) => !notifier.sheetAt.has(id)) && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };
  /** Resident and heap memory of this process (workflow, workers and sheets) after each round. */
  const memoryByRound: { designs: number; rssMb: number; heapUsedMb: number }[] = [];
  const noteMemory = (finished: number) => {
    // With node --expose-gc (NODE_OPTIONS), the heap is measured after a full collection: what is kept.
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const at = { designs: finished, rssMb: round(rss / 2 ** 20), heapUsedMb: round(heapUsed / 2 ** 20) };
    memoryByRound.push(at);
    // A long warm-up (BENCH_WARMUP_ROUNDS) shows whether memory grows with the designs done.
    console.log(`  memory after ${finished} designs: ${at.rssMb} MB RSS, heap ${at.heapUsedMb} MB`);
  };
  for (let round = 1; round <= warmupRounds; round++) {
    const first = designs * round + 1;
    const warm = await Promise.all(Array.from({ length: designs }, (_, i) => runOne(first + i)));
    const unfinished = warm.filter((r) => r.state !== 'completed');
    if (unfinished.length > 0) throw new Error(`${unfinished.length} warm-up designs did not complete`);
    await waitForSheets(warm.map((r) => r.id));
    // The bench's own record of each design goes too: what stays is what the service keeps.
    for (const r of warm) notifier.forget(r.id);
    noteMemory(designs * round);
  }
  const modelClientMs = await modelClientCost(model, designs * 4);
  // What the machine spends with nothing to do (timers, the queue's checks, Postgres' housekeeping, the
  // fakes' idle process) is not a design's cost: measured over a quiet second first and taken off.
  const idleFrom = await machineBusyMs();
  const idleFakes = (await fakes.report()).cpuMs;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleMsPerMs =
    Math.max(0, (await machineBusyMs()) - idleFrom - ((await fakes.report()).cpuMs - idleFakes)) / 1000;
  const fakesBefore = await fakes.report();
  const machineBefore = await machineBusyMs();
  const commandsBefore = await cpuMsByCommand();
  // BENCH_CPU_PROFILE=<file>: this process's CPU profile of the measured window is written there.
  const profilePath = process.env.BENCH_CPU_PROFILE;
  const watch = profilePath ? await watchLoop({ profile: true, saveProfileTo: profilePath }) : undefined;
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: designs }, (_, i) => runOne(i + 1)));
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  await watch?.stop();
  const machineMs = (await machineBusyMs()) - machineBefore;
  const byCommand = cpuMsSince(commandsBefore, await cpuMsByCommand(), designs);
  const fakesCpuMs = (await fakes.report()).cpuMs - fakesBefore.cpuMs;
  const designsCpuMs = Math.max(0, machineMs - fakesCpuMs - idleMsPerMs * wallMs);
  // Contact sheets follow completion; wait for them so none is cut off by the shutdown below.
  const sheetsDeadline = performance.now() + waitTimeoutMs;
  const completedIds = () =>
    settled.flatMap((s) => (s.status === 'fulfilled' && s.value.state === 'completed' ? [s.value.id] : []));
  while (completedIds().some((id) => !notifier.sheetAt.has(id)) && performance.now() < sheetsDeadline)
    await new Promise((resolve) => setTimeout(resolve, 50));

  noteMemory(designs * (warmupRounds + 1));
  // What stays resident once the service is idle: the allocator returns freed pages after a delay
  // (jemalloc's decay, glibc's trim), so memory is read again after BENCH_SETTLE_SECONDS with nothing to do.
  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
  (globalThis as { gc?: () => void }).gc?.();
  const settledMemory = {
    afterSeconds: settleSeconds,
    rssMb: round(process.memoryUsage().rss / 2 ** 20),
    heapUsedMb: round(process.memoryUsage().heapUsed / 2 ** 20),
  };
  const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  for (const s of settled) if (s.status === 'rejected') logger.error({ err: s.reason }, 'design failed');
  const completed = results.filter((r) => r.state === 'completed');
  const sheetDelays: number[] = [];
  const report: FakesReport = await fakes.report();
  const calls = callsByDesign(report.calls);
  const perDesign: DesignFigures[] = [];
  let retriedViews = 0;
  for (const r of completed) {
    const figures = designFigures(
      {
        t0: r.t0,
        awaitingAt: [r.awaitingAt],
        editAt: [],
        approveAt: r.approveAt,
        completedAt: r.completedAt,
      },
      calls.get(r.n) ?? [],
    );
    if (figures) perDesign.push(figures);
    else retriedViews++;
    const sheetAt = notifier.sheetAt.get(r.id);
    if (sheetAt !== undefined) sheetDelays.push(sheetAt - r.completedAt);
  }
  const ratios = perDesign.map((f) => f.viewsPhaseRatio);
  const overheads = perDesign.map((f) => f.overheadMs);
  // Where the overhead is spent, per design (bench/design-figures.ts); no design is edited here.
  const phases = Object.entries(phaseValues(perDesign)).filter(([, values]) => values.length > 0);
  const stats = report.gemini;
  const figures = {
    bench: 'workflow',
    designs,
    completed: completed.length,
    failed: designs - completed.length,
    wallMs: Math.round(wallMs),
    designsPerMinute: round(completed.length / (wallMs / 60_000)),
    viewsPhaseRatio: { p50: round(percentile(ratios, 0.5), 3), max: round(Math.max(...ratios), 3) },
    overheadMs: { p50: round(percentile(overheads, 0.5)), p99: round(percentile(overheads, 0.99)) },
    overheadByPhaseMs: Object.fromEntries(
      phases.map(([phase, values]) => [
        phase,
        { p50: round(percentile(values, 0.5)), p99: round(percentile(values, 0.99)) },
      ]),
    ),
    // This process's CPU (every thread) and its event loop's busy time while the designs ran, per design.
    cpuMsPerDesign: round((cpu.user + cpu.system) / 1000 / designs),
    loopBusyMsPerDesign: round(loop.active / designs),
    // Every process on the machine but the fakes (Facet, Postgres, Redis, the kernel), less what the
    // machine spends idle: what a design costs.
    machineCpuMsPerDesign: round(designsCpuMs / designs),
    fakesCpuMsPerDesign: round(fakesCpuMs / designs),
    // The same window by process: this bench and the fakes are "node", Postgres' backends "postgres".
    cpuMsPerDesignByCommand: Object.fromEntries(
      byCommand.map(([command, ms]) => [command, round(ms / designs)]),
    ),
    // The designs start, are approved and finish together, so nearly all of that CPU is needed in
    // bursts: spread perfectly over every core it still takes this long, per design on the critical path.
    cpuBoundOverheadMs: round(designsCpuMs / availableParallelism()),
    idleMachineCpuPercent: round(idleMsPerMs * 100),
    cores: availableParallelism(),
    // Lower bounds on this machine that no orchestration can beat: the model client alone needs
    // modelClientMsPerCall of the event loop per request, and every design asks for 4 views at once.
    modelClientMsPerCall: round(modelClientMs, 3),
    viewRequestsAloneMs: round(modelClientMs * 4 * completed.length),
    approvalMsP50: round(
      percentile(
        completed.map((r) => r.approvalMs),
        0.5,
      ),
    ),
    completionMsP50: round(
      percentile(
        completed.map((r) => r.completionMs),
        0.5,
      ),
    ),
    contactSheets: sheetDelays.length,
    contactSheetAfterCompletionMs: {
      p50: round(percentile(sheetDelays, 0.5)),
      max: round(Math.max(...sheetDelays)),
    },
    geminiRequests: stats.total,
    geminiMaxInFlight: stats.maxInFlight,
    openaiRequests: report.openaiRequests,
    designsWithExtraModelCalls: retriedViews,
    unmatchedRequests: report.unmatched,
    concurrency,
    poolSize,
    warmupRounds,
    memoryByRound,
    memoryWhenIdle: settledMemory,
    target: { viewsPhaseRatioMax: 1.05, overheadMsP99: 100 },
  };
  console.log(`workflow bench: ${completed.length}/${designs} designs completed in ${figures.wallMs} ms`);
  console.log(
    `  approval p50 ${figures.approvalMsP50} ms (front model ${frontMs} ms), ` +
      `completion p50 ${figures.completionMsP50} ms`,
  );
  console.log(
    `  views phase / slowest view: p50 ${figures.viewsPhaseRatio.p50}, max ${figures.viewsPhaseRatio.max} (target <= 1.05)`,
  );
  console.log(
    `  overhead beyond model time: p50 ${figures.overheadMs.p50} ms, p99 ${figures.overheadMs.p99} ms (target p99 < 100)`,
  );
  console.log(
    `  overhead by phase (p50/p99 ms): ${Object.entries(figures.overheadByPhaseMs)
      .map(([phase, { p50, p99 }]) => `${phase} ${p50}/${p99}`)
      .join(', ')}`,
  );
  console.log(
    `  CPU per design: ${figures.machineCpuMsPerDesign} ms on the machine (${figures.cpuMsPerDesign} ms in this ` +
      `process); all designs' CPU over ${figures.cores} cores: ${figures.cpuBoundOverheadMs} ms`,
  );
  console.log(
    `  CPU per design by process: ${byCommand.map(([command, ms]) => `${command} ${round(ms / designs)} ms`).join(', ')}`,
  );
  console.log(
    `  contact sheets: ${sheetDelays.length}, shown p50 ${figures.contactSheetAfterCompletionMs.p50} ms ` +
      `after completion (max ${figures.contactSheetAfterCompletionMs.max} ms)`,
  );
  console.log(
    `  ${figures.designsPerMinute} designs/min; gemini ${stats.total} requests, ${stats.maxInFlight} at once; ` +
      `openai ${report.openaiRequests} requests`,
  );
  const memoryAt = (m: (typeof memoryByRound)[number]) =>
    `${m.rssMb} MB RSS (heap ${m.heapUsedMb}) after ${m.designs}`;
  console.log(
    `  memory of this process: ${memoryAt(memoryByRound[0]!)}` +
      (memoryByRound.length > 1 ? `, ${memoryAt(memoryByRound.at(-1)!)} designs` : ' designs') +
      `; ${settledMemory.rssMb} MB RSS (heap ${settledMemory.heapUsedMb}) after ${settleSeconds} s idle`,
  );
  console.log(JSON.stringify(figures));
  if (completed.length !== designs || sheetDelays.length !== completed.length) process.exitCode = 1;
} finally {
  await workflow?.close();
  await obliterateQueue({ queueName, redisUrl, prefix }, logger);
  await fakes.close();
  await test.drop();
  await rm(dir, { recursive: true, force: true });
}
