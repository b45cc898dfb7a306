import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { designPlan } from './fixtures/design-plan.ts';

/*
 * Crash safety: worker processes run designs' credit steps and are SIGKILLed at random moments (by
 * the parent 200-1000 ms into their work, and by themselves before, during and right after a step). Unfinished
 * designs are handed to a new worker, as a job queue redelivers them. Afterwards every design is
 * charged exactly its price or nothing, and the ledger audits clean.
 */

const DESIGNS = Number(process.env.CRASH_DESIGNS ?? 300);
const WORKERS = 4;
const CHUNK = 20;

describe('credits ledger when workers crash', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('ledger_crash');
  });
  afterAll(() => test.drop());

  it('charges every design exactly once, whatever point a worker dies at', async () => {
    const db = test.db;
    const runId = randomUUID();
    const workspace = await ensureWorkspace(db, 'slack', `T${runId}`);
    const ledger = new CreditLedger(db, { clock: () => new Date(), starterCredits: 0 });
    for (let u = 0; u < 8; u++) {
      await ledger.grant({
        account: { workspaceId: workspace.id, userId: `U${u}` },
        amount: 1_000,
        key: `${runId}:seed:${u}`,
      });
    }

    const queue = Array.from({ length: DESIGNS }, (_, n) => n);
    const finished = new Set<number>();
    const failures: string[] = [];
    let kills = 0;
    let spawned = 0;
    const running = new Set<ChildProcess>();

    const startWorker = () => {
      const chunk = queue.splice(0, CHUNK);
      if (chunk.length === 0) return;
      spawned++;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/credits/fixtures/credit-steps-worker.ts'],
        {
          env: {
            ...process.env,
            DATABASE_URL: test.url,
            WORKSPACE_ID: workspace.id,
            RUN_ID: runId,
            SELF_KILL_CHANCE: '0.005',
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      running.add(child);
      const pending = new Set(chunk);
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'ready') {
          // The parent's own kill, at a random moment of this worker's work (a chunk takes ~0.2-0.6 s
          // here: later kills would mostly find the worker done on a fast machine).
          setTimeout(() => child.kill('SIGKILL'), 20 + Math.random() * 500);
          return;
        }
        const n = Number(line.replace('done ', ''));
        pending.delete(n);
        finished.add(n);
      });
      child.stdin.end(chunk.join('\n') + '\n');
      child.on('exit', (code, signal) => {
        running.delete(child);
        if (signal === 'SIGKILL') kills++;
        else if (code !== 0) failures.push(`worker exited with ${code}: ${stderr}`);
        queue.unshift(...pending); // redelivery of what it had not finished
        if (failures.length === 0) startWorker();
      });
    };
    for (let w = 0; w < WORKERS; w++) startWorker();
    while (finished.size < DESIGNS && failures.length === 0) {
      if (running.size === 0 && queue.length > 0) startWorker();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all([...running].map((child) => new Promise((resolve) => child.once('exit', resolve))));
    expect(failures).toEqual([]);

    // A sweep far past every TTL finds nothing left to expire.
    const later = new CreditLedger(db, { clock: () => new Date(Date.now() + 3_600_000), starterCredits: 0 });
    expect(await later.expireDue()).toEqual([]);
    expect((await auditLedger(db)).violations).toEqual([]);

    const holds = await db
      .selectFrom('credit_holds')
      .select(['subject', 'status', 'amount'])
      .where('subject', 'like', `design:${runId}:%`)
      .execute();
    expect(holds).toHaveLength(DESIGNS);
    const wrong = holds.filter((hold) => {
      const plan = designPlan(Number(hold.subject.split(':').pop()));
      const status = plan.outcome === 'capture' ? 'captured' : 'released';
      return hold.status !== status || hold.amount !== plan.base + plan.edits;
    });
    expect(wrong).toEqual([]);
    const expectedCharge = Array.from({ length: DESIGNS }, (_, n) => designPlan(n))
      .filter((plan) => plan.outcome === 'capture')
      .reduce((sum, plan) => sum + plan.base + plan.edits, 0);
    const charged = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number>('amount').as('total'))
      .where('kind', '=', 'capture')
      .executeTakeFirstOrThrow();
    expect(charged.total).toBe(expectedCharge);
    expect(kills).toBeGreaterThan(10);
    console.info(JSON.stringify({ designs: DESIGNS, workersSpawned: spawned, kills }));
  }, 300_000);
});
