/*
 * What recording model calls costs a design (issue 18): six calls a design (front, four views, features)
 * recorded through the real batched log into Postgres, in bursts as bench:workflow makes them. Prints
 * this process's CPU per design and the Postgres backend's (from pg_stat_statements-free timing: the
 * inserts' wall time, an upper bound of their server CPU), as one JSON line last.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { BatchedModelCallLog } from '../src/workflow/model-calls/batched-model-call-log.ts';
import type { ModelCall } from '../src/workflow/model-calls/model-call.ts';
import { defaultModelPrices } from '../src/workflow/model-calls/model-prices.ts';
import { ensureWorkspace } from '../src/storage/workspaces.ts';
import { createTestDatabase } from '../test/helpers/test-database.ts';

const designs = Number(process.env.BENCH_DESIGNS ?? 2000);
const burst = Number(process.env.BENCH_BURST ?? 100);

const test = await createTestDatabase('bench_model_calls');
try {
  const workspace = await ensureWorkspace(test.db, 'slack', 'T-bench');
  let writeMs = 0;
  const log = new BatchedModelCallLog({
    db: test.db,
    prices: defaultModelPrices,
    logger: pino({ level: 'warn' }),
    written: () => Promise.resolve(),
  });
  const callsOf = (designId: string): ModelCall[] =>
    (['front', 'view', 'view', 'view', 'view', 'features'] as const).map((purpose) => ({
      provider: purpose === 'features' ? 'openai' : 'gemini',
      model: purpose === 'features' ? 'gpt-4o-mini' : 'gemini-2.5-flash-image',
      purpose,
      outcome: 'ok',
      designId,
      workspaceId: workspace.id,
      requesterId: 'U-bench',
      startedAt: new Date(),
      latencyMs: 1000,
      usage: { tokensIn: 12, tokensOut: 1290 },
      images: purpose === 'features' ? 0 : 1,
    }));
  const round = async (count: number) => {
    for (let n = 0; n < count; n += burst) {
      for (let d = 0; d < Math.min(burst, count - n); d++)
        for (const call of callsOf(randomUUID())) log.record(call);
      const began = performance.now();
      await log.flush();
      writeMs += performance.now() - began;
    }
  };
  await round(Math.min(500, designs)); // warm-up: V8 and the connection pool
  writeMs = 0;
  const cpu = process.cpuUsage();
  await round(designs);
  const used = process.cpuUsage(cpu);
  const figures = {
    bench: 'model-calls',
    designs,
    callsPerDesign: 6,
    burst,
    processCpuMsPerDesign: Number(((used.user + used.system) / 1000 / designs).toFixed(3)),
    insertWallMsPerDesign: Number((writeMs / designs).toFixed(3)),
  };
  console.log(
    `recording 6 model calls a design: ${figures.processCpuMsPerDesign} ms of this process's CPU, inserts ${figures.insertWallMsPerDesign} ms of wall time (an upper bound of Postgres's CPU) per design`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await test.drop();
}
