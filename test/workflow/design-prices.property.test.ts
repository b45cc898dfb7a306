import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeminiImageModel } from '../../src/ai/gemini/gemini-image-model.ts';
import { OpenAIFeatureExtractor } from '../../src/ai/openai/openai-feature-extractor.ts';
import { auditLedger } from '../../src/credits/invariants.ts';
import { CreditLedger } from '../../src/credits/ledger.ts';
import { LocalImageStore } from '../../src/storage/images/local-image-store.ts';
import { ensureWorkspace, updateWorkspaceSettings } from '../../src/storage/workspaces.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import { DesignTransitions } from '../../src/workflow/design-transitions.ts';
import { InProcessJobQueue } from '../../src/workflow/jobs/in-process-job-queue.ts';
import { quickEditPresets, type PresetId } from '../../src/workflow/prompts.ts';
import type { RemainingView } from '../../src/workflow/views.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { createWorkflow, type Workflow } from '../../src/workflow/workflow.ts';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini-server.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/fake-openai-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { actor, inState, RecordingNotifier, silentLogger, waitFor } from './workflow-harness.ts';

/*
 * Prices against the ledger: every combination of design, variation and edit price (0 to 5, 0 included)
 * and random sequences of what people and jobs do to one design, run through the real workflow (Gemini and
 * OpenAI SDKs against loopback fakes, Postgres ledger), compared after every step with a model written
 * here: a phase's hold is what completing it now would cost, completing captures exactly that, failing,
 * cancelling or expiring returns it, and a refused step changes nothing.
 */

const TTL_MS = 60 * 60_000;
const views: RemainingView[] = ['back', 'side', 'top', 'bottom'];

type Prices = { design: number; variation: number; edit: number };

type Action =
  | { type: 'edit'; preset: PresetId; fails: boolean }
  | { type: 'approve'; fails: boolean }
  | { type: 'retry' }
  | { type: 'cancel' }
  | { type: 'expire' }
  | { type: 'edit_view'; view: RemainingView; fails: boolean };

type Scenario = {
  prices: Prices;
  kind: 'design' | 'variation';
  granted: number;
  startFails: boolean;
  actions: Action[];
};

type Model = {
  state: 'awaiting_approval' | 'completed' | 'failed' | 'cancelled' | 'expired';
  failedPhase: 'front' | 'views' | null;
  base: number;
  edit: number;
  iteration: number;
  round: number;
  balance: number;
  held: number;
  charged: number;
  /** What each completed round captured, by round (its revision says the same). */
  roundCharges: Map<number, number>;
};

/** The model's own price of the current phase, written out rather than taken from the code under test. */
function modelPrice(m: Model): number {
  return m.round > 1 ? m.edit : m.base + m.edit * (m.iteration - 1);
}

const available = (m: Model) => m.balance - m.held;

describe('prices against the ledger (property, real workflow on Postgres)', () => {
  let test: TestDatabase;
  let gemini: FakeGemini;
  let openai: FakeOpenAI;
  let dir: string;
  let ledger: CreditLedger;
  let workflow: Workflow;
  let jobs: InProcessJobQueue;
  /** The expire job's transition, applied when the model says the TTL has passed. */
  let transitions: DesignTransitions;
  let workspaceId: string;
  let parentId: string;
  // Shared by the ledger and the workflow, so an expiry can be reached without waiting for it.
  let clockOffsetMs = 0;
  const clock = () => new Date(Date.now() + clockOffsetMs);
  let runs = 0;
  /** What actually happened, so a run that only ever meets refusals cannot pass for a test. */
  const seen = new Map<string, number>();
  const saw = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

  beforeAll(async () => {
    test = await createTestDatabase('prices', { poolSize: 20 });
    gemini = await startFakeGemini();
    openai = await startFakeOpenAI();
    dir = await mkdtemp(path.join(tmpdir(), 'facet-prices-'));
    ledger = new CreditLedger(test.db, { clock, starterCredits: 0 });
    workspaceId = (await ensureWorkspace(test.db, 'slack', `T${randomUUID().slice(0, 8)}`)).id;
    jobs = new InProcessJobQueue({ backoffMs: 20, attempts: 4, logger: silentLogger });
    workflow = createWorkflow({
      db: test.db,
      ledger,
      jobs,
      model: new GeminiImageModel({ apiKey: 'test-gemini-key', baseUrl: gemini.url, timeoutMs: 10_000 }),
      extractor: new OpenAIFeatureExtractor({
        apiKey: 'test-openai-key',
        baseUrl: openai.url,
        timeoutMs: 10_000,
      }),
      images: new LocalImageStore({ dir, publicUrl: 'http://127.0.0.1:9', secret: 'test-secret' }),
      notifier: new RecordingNotifier(),
      clock,
      holdTtlMs: TTL_MS,
      logger: silentLogger,
      reconcileEveryMs: 0,
    });
    await workflow.startWorker();
    transitions = new DesignTransitions(test.db, ledger, { clock, holdTtlMs: TTL_MS });

    // The design every variation is drawn from, made once at the default prices.
    await ledger.grant({ account: { workspaceId, userId: 'U-parent' }, amount: 3, key: 'parent-grant' });
    const parent = designOf(
      await workflow.service.start({ workspaceId, actor: actor('U-parent'), prompt: 'a parent teapot' }),
    );
    await waitFor(workflow, parent.id, inState('awaiting_approval'));
    designOf(await workflow.service.approve({ designId: parent.id, actor: actor('U-parent'), iteration: 1 }));
    await waitFor(workflow, parent.id, inState('completed'));
    parentId = parent.id;
  });

  afterAll(async () => {
    await workflow.close();
    await Promise.all([gemini.close(), openai.close()]);
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * No job is running or waiting (the hour-long expire jobs are only delayed): a scripted failure can
   * only be taken by the request it is meant for, not by a straggler of a design that failed already.
   */
  async function quiet() {
    await expect
      .poll(
        async () => {
          const counts = await jobs.counts();
          return counts.active + counts.waiting + gemini.stats().inFlight;
        },
        { timeout: 15_000, interval: 10 },
      )
      .toBe(0);
  }

  async function failNextGeneration() {
    await quiet();
    gemini.script({ kind: 'blocked' });
  }

  async function expectAgreement(m: Model, account: { workspaceId: string; userId: string }, id: string) {
    const label = JSON.stringify({ ...m, roundCharges: [...m.roundCharges] });
    expect(await ledger.balance(account), label).toEqual({
      balance: m.balance,
      held: m.held,
      available: available(m),
    });
    expect(available(m), label).toBeGreaterThanOrEqual(0);
    const design = (await workflow.service.snapshot(id))!;
    expect(
      {
        state: design.state,
        iteration: design.iteration,
        round: design.round,
        held: design.held,
        charged: design.charged,
        // A failed design cancelled later keeps saying what failed.
        failedPhase: design.state === 'failed' ? (design.failure?.phase ?? null) : null,
      },
      label,
    ).toEqual({
      state: m.state,
      iteration: m.iteration,
      round: m.round,
      held: m.held,
      charged: m.charged,
      failedPhase: m.state === 'failed' ? m.failedPhase : null,
    });
    const row = await test.db
      .selectFrom('designs')
      .select(['hold_id', 'hold_amount', 'hold_seq'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const holds = await test.db
      .selectFrom('credit_holds')
      .select(['id', 'subject', 'amount', 'status'])
      .where('subject', 'like', `design:${id}:%`)
      .orderBy('created_at')
      .execute();
    const active = holds.filter((hold) => hold.status === 'active');
    if (m.state === 'awaiting_approval') {
      // The row's bookkeeping is what the next edit and the capture are computed from.
      expect(row.hold_amount, label).toBe(m.held);
      expect(row.hold_id === null, label).toBe(m.held === 0);
      if (row.hold_id !== null) {
        expect(
          active.map((hold) => [hold.id, hold.subject]),
          label,
        ).toEqual([[row.hold_id, `design:${id}:${row.hold_seq}`]]);
      }
    }
    if (m.state === 'completed') expect(row.hold_amount, label).toBe(m.roundCharges.get(m.round));
    expect(
      active.map((hold) => hold.amount),
      label,
    ).toEqual(m.held > 0 ? [m.held] : []);
    const captured = holds.filter((hold) => hold.status === 'captured').map((hold) => hold.amount);
    expect(captured, label).toEqual([...m.roundCharges.values()].filter((amount) => amount > 0));
    const revisions = await test.db
      .selectFrom('revisions')
      .select(['number', 'charged'])
      .where('design_id', '=', id)
      .orderBy('number')
      .execute();
    expect(
      revisions.map((revision) => [revision.number, revision.charged]),
      label,
    ).toEqual([...m.roundCharges]);
    expect((await auditLedger(test.db)).violations, label).toEqual([]);
  }

  /** Waits until the phase the model expects has finished, the way it is expected to finish. */
  async function phaseEnds(m: Model, id: string, fails: boolean, phase: 'front' | 'views') {
    const done = (d: DesignSnapshot) =>
      d.state === 'failed' ||
      (phase === 'front'
        ? d.state === 'awaiting_approval' && d.iterations.at(-1)?.imageKey != null
        : d.state === 'completed' && d.round === m.round);
    const design = await waitFor(workflow, id, done);
    if (fails) {
      saw(`failed in ${phase}`);
      m.state = 'failed';
      m.failedPhase = phase;
      m.held = 0;
    } else if (phase === 'front') {
      m.state = 'awaiting_approval';
    } else {
      m.state = 'completed';
      saw(
        m.round > 1
          ? 'view edit completed'
          : m.base === 0 && m.held > 0
            ? 'free design charged for edits'
            : 'completed',
      );
      m.balance -= m.held;
      m.charged += m.held;
      m.roundCharges.set(m.round, m.held);
      m.held = 0;
    }
    // A view job still running when its design failed finishes later; let it, before the next step.
    if (design.state === 'failed') await quiet();
  }

  /** A refused step: ok false (with the credits' figures when they are why) and nothing changed. */
  function expectRefused(outcome: WorkflowOutcome, cost?: number, m?: Model) {
    if (cost === undefined || m === undefined) {
      expect(outcome.ok).toBe(false);
      expect(outcome).not.toMatchObject({ reason: 'insufficient_credits' });
    } else {
      expect(outcome).toMatchObject({
        ok: false,
        reason: 'insufficient_credits',
        cost,
        available: available(m),
      });
    }
  }

  async function run(scenario: Scenario) {
    const userId = `U-run-${++runs}`;
    const account = { workspaceId, userId };
    const who = actor(userId);
    await updateWorkspaceSettings(
      test.db,
      workspaceId,
      {
        approverGroup: null,
        requestersApprove: null,
        approvalNotices: 'thread',
        prices: scenario.prices,
        monthlyBudgetCents: null,
      },
      'U-admin',
    );
    if (scenario.granted > 0)
      await ledger.grant({ account, amount: scenario.granted, key: `grant:${userId}` });
    const m: Model = {
      state: 'awaiting_approval',
      failedPhase: null,
      base: scenario.kind === 'variation' ? scenario.prices.variation : scenario.prices.design,
      edit: scenario.prices.edit,
      iteration: 1,
      round: 1,
      balance: scenario.granted,
      held: 0,
      charged: 0,
      roundCharges: new Map(),
    };

    if (m.base > available(m)) {
      const refused =
        scenario.kind === 'variation'
          ? await workflow.service.startVariation({ workspaceId, actor: who, designId: parentId })
          : await workflow.service.start({ workspaceId, actor: who, prompt: `a lamp for ${userId}` });
      expectRefused(refused, m.base, m);
      expect(await ledger.balance(account)).toEqual({ balance: m.balance, held: 0, available: m.balance });
      saw('start refused');
      return;
    }
    if (scenario.startFails) await failNextGeneration();
    const started = designOf(
      scenario.kind === 'variation'
        ? await workflow.service.startVariation({ workspaceId, actor: who, designId: parentId })
        : await workflow.service.start({ workspaceId, actor: who, prompt: `a lamp for ${userId}` }),
    );
    const id = started.id;
    m.held = m.base;
    expect(started.held).toBe(m.held);
    await phaseEnds(m, id, scenario.startFails, 'front');
    await expectAgreement(m, account, id);

    for (const action of scenario.actions) {
      switch (action.type) {
        case 'edit': {
          const ask = () =>
            workflow.service.edit({
              designId: id,
              actor: who,
              iteration: m.iteration,
              edit: { preset: action.preset },
            });
          if (m.state !== 'awaiting_approval') expectRefused(await ask());
          else if (m.edit > available(m)) {
            expectRefused(await ask(), m.edit, m);
            saw(m.held === 0 ? 'first paid edit refused' : 'edit refused');
          } else {
            if (m.held === 0 && m.edit > 0) saw('first paid edit');
            if (action.fails) await failNextGeneration();
            designOf(await ask());
            m.iteration += 1;
            m.held += m.edit;
            await phaseEnds(m, id, action.fails, 'front');
          }
          break;
        }
        case 'approve': {
          const ask = () => workflow.service.approve({ designId: id, actor: who, iteration: m.iteration });
          if (m.state !== 'awaiting_approval') expectRefused(await ask());
          else {
            if (action.fails) await failNextGeneration();
            designOf(await ask());
            await phaseEnds(m, id, action.fails, 'views');
          }
          break;
        }
        case 'retry': {
          const ask = () => workflow.service.retry({ designId: id, actor: who });
          const price = modelPrice(m);
          if (m.state !== 'failed') expectRefused(await ask());
          else if (price > available(m)) {
            expectRefused(await ask(), price, m);
            saw('retry refused');
          } else {
            saw(`retry of ${m.failedPhase ?? 'front'} at ${price === 0 ? 'no' : 'a'} price`);
            const retried = designOf(await ask());
            m.held = price;
            expect(retried.held).toBe(price);
            await phaseEnds(m, id, false, m.failedPhase ?? 'front');
          }
          break;
        }
        case 'cancel': {
          const outcome = await workflow.service.cancel({ designId: id, actor: who });
          if (m.state !== 'awaiting_approval' && m.state !== 'failed') expectRefused(outcome);
          else {
            designOf(outcome);
            saw(m.held > 0 ? 'cancelled with a hold' : 'cancelled');
            m.state = 'cancelled';
            m.held = 0;
          }
          break;
        }
        case 'expire': {
          // The expire job's own step, once the TTL has passed (the job itself is an hour away).
          const iteration = m.iteration;
          const expire = () =>
            transitions.apply(id, { type: 'expire', iteration }, () => ({ patch: { finished_at: clock() } }));
          if (m.state !== 'awaiting_approval') expect((await expire()).ok).toBe(false);
          else {
            clockOffsetMs += TTL_MS + 60_000;
            expect((await expire()).ok).toBe(true);
            m.state = 'expired';
            saw(m.held > 0 ? 'expired with a hold' : 'expired');
            m.held = 0;
          }
          break;
        }
        case 'edit_view': {
          const ask = () => workflow.service.editView({ designId: id, actor: who, view: action.view });
          if (m.state !== 'completed') expectRefused(await ask());
          else if (m.edit > available(m)) {
            expectRefused(await ask(), m.edit, m);
            saw('view edit refused');
          } else {
            if (action.fails) await failNextGeneration();
            designOf(await ask());
            m.round += 1;
            m.held = m.edit;
            await phaseEnds(m, id, action.fails, 'views');
          }
          break;
        }
      }
      await expectAgreement(m, account, id);
    }

    // The charge, from the prices alone: the first round with its accepted edits, one edit per view edit.
    const viewEdits = [...m.roundCharges.keys()].filter((round) => round > 1).length;
    const firstRound = m.roundCharges.has(1) ? m.base + m.edit * (m.iteration - 1) : 0;
    expect(m.charged).toBe(firstRound + m.edit * viewEdits);
    expect(await ledger.balance(account)).toMatchObject({ balance: scenario.granted - m.charged });
  }

  const price = fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 5 }), weight: 3 },
  );
  const sometimes = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
  const action: fc.Arbitrary<Action> = fc.oneof(
    {
      arbitrary: fc.record({
        type: fc.constant('edit' as const),
        preset: fc.constantFrom(...quickEditPresets.map((preset) => preset.id)),
        fails: sometimes,
      }),
      weight: 5,
    },
    { arbitrary: fc.record({ type: fc.constant('approve' as const), fails: sometimes }), weight: 3 },
    { arbitrary: fc.constant({ type: 'retry' as const }), weight: 2 },
    { arbitrary: fc.constant({ type: 'cancel' as const }), weight: 1 },
    { arbitrary: fc.constant({ type: 'expire' as const }), weight: 1 },
    {
      arbitrary: fc.record({
        type: fc.constant('edit_view' as const),
        view: fc.constantFrom(...views),
        fails: sometimes,
      }),
      weight: 2,
    },
  );
  const scenario: fc.Arbitrary<Scenario> = fc.record({
    prices: fc.record({ design: price, variation: price, edit: price }),
    kind: fc.constantFrom('design' as const, 'variation' as const),
    granted: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 9, max: 40 })),
    startFails: sometimes,
    actions: fc.array(action, { minLength: 1, maxLength: 8 }),
  });

  const edit = (fails = false): Action => ({ type: 'edit', preset: 'minimal', fails });
  const approve = (fails = false): Action => ({ type: 'approve', fails });
  const free = { design: 0, variation: 0, edit: 2 };
  // Run first every time: the cases the issue reported and their neighbours.
  const examples: [Scenario][] = [
    [
      {
        prices: free,
        kind: 'design',
        granted: 10,
        startFails: false,
        actions: [edit(), edit(), edit(), approve()],
      },
    ],
    [
      {
        prices: free,
        kind: 'variation',
        granted: 10,
        startFails: true,
        actions: [{ type: 'retry' }, edit(), edit(true), { type: 'retry' }, approve(true), { type: 'retry' }],
      },
    ],
    [
      {
        prices: free,
        kind: 'design',
        granted: 3,
        startFails: false,
        actions: [edit(), edit(), { type: 'cancel' }],
      },
    ],
    [{ prices: free, kind: 'design', granted: 1, startFails: false, actions: [edit(), approve()] }],
    [
      {
        prices: { design: 0, variation: 0, edit: 0 },
        kind: 'design',
        granted: 0,
        startFails: false,
        actions: [edit(), approve(), { type: 'edit_view', view: 'top', fails: true }, { type: 'retry' }],
      },
    ],
    [{ prices: free, kind: 'design', granted: 4, startFails: false, actions: [edit(), { type: 'expire' }] }],
    [
      {
        prices: { design: 3, variation: 2, edit: 1 },
        kind: 'design',
        granted: 5,
        startFails: false,
        actions: [edit(), edit(true), { type: 'cancel' }, { type: 'retry' }],
      },
    ],
  ];

  it(
    'holds, captures and returns exactly the price for every price combination',
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          await run(s);
        }),
        { numRuns: Number(process.env.PRICES_RUNS ?? 120), examples },
      );
      for (const what of [
        'free design charged for edits',
        'first paid edit',
        'first paid edit refused',
        'edit refused',
        'retry of front at a price',
        'retry of views at a price',
        'retry of views at no price',
        'failed in front',
        'failed in views',
        'view edit completed',
        'expired with a hold',
        'cancelled with a hold',
      ])
        expect(seen.get(what) ?? 0, `${what} (seen: ${JSON.stringify([...seen])})`).toBeGreaterThan(0);
    },
  );
});

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.design;
}
