import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIFeatureExtractor } from '../../src/ai/openai/openai-feature-extractor.ts';
import { GeminiImageModel } from '../../src/ai/gemini/gemini-image-model.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import { LocalImageStore } from '../../src/storage/images/local-image-store.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { BullMQJobQueue } from '../../src/workflow/jobs/bullmq-job-queue.ts';
import { createWorkflow, type Workflow } from '../../src/workflow/workflow.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { actor, inState, silentLogger, waitFor } from './workflow-harness.ts';

/*
 * Two worker processes on one Redis and one Postgres: the first is SIGKILLed while it generates the
 * views; the second takes the jobs over. Every design must complete with every view, charged once.
 */
describe('workflow on BullMQ when a worker is killed mid-views', () => {
  const prefix = `facet-crash-${randomUUID().slice(0, 8)}`;
  let test: TestDatabase;
  let gemini: FakeGemini;
  let openai: FakeOpenAI;
  let dir: string;
  let web: Workflow;
  const workers: ChildProcess[] = [];

  const spawnWorker = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/workflow/fixtures/workflow-worker.ts'], {
      env: {
        ...process.env,
        WORKER_DATABASE_URL: test.url,
        WORKER_PREFIX: prefix,
        WORKER_GEMINI_URL: gemini.url,
        WORKER_OPENAI_URL: openai.url,
        WORKER_IMAGES_DIR: dir,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    return child;
  };

  beforeAll(async () => {
    test = await createTestDatabase('workflow_crash', { poolSize: 10 });
    gemini = await startFakeGemini();
    openai = await startFakeOpenAI();
    dir = await mkdtemp(path.join(tmpdir(), 'facet-crash-'));
    // The test process only takes commands (a web process): it never processes jobs.
    web = createWorkflow({
      db: test.db,
      ledger: new CreditLedger(test.db, { clock: () => new Date(), starterCredits: 10 }),
      jobs: new BullMQJobQueue({ redisUrl: 'redis://127.0.0.1:6379', prefix, stalledIntervalMs: 1000 }),
      model: new GeminiImageModel({ apiKey: 'unused', baseUrl: gemini.url }),
      extractor: new OpenAIFeatureExtractor({ apiKey: 'unused', baseUrl: openai.url }),
      images: new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:9', secret: 'test-secret' }),
      notifier: { notify: () => Promise.resolve() },
      clock: () => new Date(),
      holdTtlMs: 3_600_000,
      logger: silentLogger,
      reconcileEveryMs: 0,
    });
  });
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await web.close();
    await Promise.all([gemini.close(), openai.close()]);
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets another worker finish the views, every view present, every design charged once', async () => {
    const workspace = await ensureWorkspace(test.db, 'slack', `T${randomUUID().slice(0, 8)}`);
    const first = await spawnWorker();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await web.service.start({
        workspaceId: workspace.id,
        actor: actor(`U${i}`),
        prompt: `crash product ${i}`,
      });
      if (!outcome.ok) throw new Error(outcome.reason);
      ids.push(outcome.design.id);
    }
    for (const id of ids) await waitFor(web, id, inState('awaiting_approval'));
    gemini.setLatency((request) => (request.texts.join(' ').startsWith('Product: ') ? 1500 : 0));
    for (const [i, id] of ids.entries()) {
      const approved = await web.service.approve({ designId: id, actor: actor(`U${i}`), iteration: 1 });
      expect(approved.ok).toBe(true);
    }
    // Kill the first worker while its view requests are in flight.
    const deadline = Date.now() + 10_000;
    while (gemini.stats().inFlight < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const inFlightAtKill = gemini.stats().inFlight;
    expect(inFlightAtKill).toBeGreaterThanOrEqual(4);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const midway = await Promise.all(ids.map((id) => web.service.snapshot(id)));
    expect(midway.every((design) => design?.state === 'generating_views')).toBe(true);

    await spawnWorker();
    for (const id of ids) {
      const done = await waitFor(web, id, inState('completed', 'failed'), 40_000);
      expect(done.state).toBe('completed');
      expect(done.charged).toBe(3);
      for (const view of done.views) {
        expect(view.state).toBe('done');
        const png = await new LocalImageStore({ dir, publicUrl: 'http://x', secret: 's' }).get(
          view.imageKey!,
        );
        expect(png.subarray(1, 4).toString()).toBe('PNG');
      }
    }
    // The views the killed worker was generating were generated again by the second one.
    const viewRequests = gemini.requests.filter((r) => r.texts.join(' ').startsWith('Product: ')).length;
    expect(viewRequests).toBeGreaterThanOrEqual(12 + inFlightAtKill);
    const captures = await test.db
      .selectFrom('ledger_entries')
      .select(['hold_id', 'amount'])
      .where('kind', '=', 'capture')
      .execute();
    expect(captures).toHaveLength(3);
    expect(captures.every((entry) => entry.amount === 3)).toBe(true);
    expect((await auditLedger(test.db)).violations).toEqual([]);
  }, 90_000);
});
