import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { auditLedger } from '../../../src/credits/invariants.ts';
import type { DesignSnapshot } from '../../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../../src/workflow/workflow-outcome.ts';
import { actor, createHarness, inState, waitFor, type Harness } from '../workflow-harness.ts';

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.design;
}

const generating = ['generating_front', 'generating_views', 'finalizing'] as const;

describe('the line in front of the image model (caps per workspace and per person)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('admission', {
      starterCredits: 100,
      workflow: { caps: { perWorkspace: 3, perUser: 2 } },
    });
  });
  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });

  const start = (userId: string, prompt = 'a desk lamp') =>
    h.workflow.service.start({ workspaceId: h.workspaceId, actor: actor(userId), prompt });
  const states = async () =>
    (await h.test.db.selectFrom('designs').select(['id', 'state']).execute()).map((d) => d.state);
  const settle = (id: string) => waitFor(h.workflow, id, inState('awaiting_approval', 'failed'));

  it('queues over the caps, shows each card its place, passes over a busy person and starts in order', async () => {
    h.gemini.setLatency(1500);
    const startedBefore = h.gemini.stats().total;
    const a1 = designOf(await start('U-a'));
    const a2 = designOf(await start('U-a'));
    const a3 = designOf(await start('U-a'));
    const b1 = designOf(await start('U-b'));
    const c1 = designOf(await start('U-c'));
    const a4 = designOf(await start('U-a'));
    expect([a1.state, a2.state, a3.state, b1.state, c1.state, a4.state]).toEqual([
      'generating_front',
      'generating_front',
      'queued', // U-a is at their cap of 2
      'generating_front', // passed over U-a's waiting design: the workspace had room
      'queued', // the workspace is at its cap of 3
      'queued',
    ]);
    // Credits are reserved while waiting, like any design.
    expect(await h.ledger.balance({ workspaceId: h.workspaceId, userId: 'U-a' })).toMatchObject({ held: 12 });
    expect([a3.queue?.ahead, c1.queue?.ahead, a4.queue?.ahead]).toEqual([0, 1, 2]);
    expect(a4.queue!.etaSeconds).toBeGreaterThan(0);

    // Leaving the line returns the credits and moves everyone behind up; their cards are shown again.
    const cancelled = designOf(await h.workflow.service.cancel({ designId: a3.id, actor: actor('U-a') }));
    expect(cancelled.state).toBe('cancelled');
    expect(await h.ledger.balance({ workspaceId: h.workspaceId, userId: 'U-a' })).toMatchObject({ held: 9 });
    await expect
      .poll(() => h.notifier.of(a4.id).some((d) => d.state === 'queued' && d.queue?.ahead === 1))
      .toBe(true);
    expect(h.notifier.of(c1.id).some((d) => d.state === 'queued' && d.queue?.ahead === 0)).toBe(true);
    // Approve and edit wait for the front view, like while it generates.
    const early = await h.workflow.service.approve({ designId: c1.id, actor: actor('U-c'), iteration: 1 });
    expect(early).toMatchObject({ ok: false, reason: 'not_ready' });

    for (const design of [a1, a2, b1, c1, a4])
      expect((await settle(design.id)).state).toBe('awaiting_approval');
    // Admitted in line order as slots freed.
    const admitted = await h.test.db
      .selectFrom('designs')
      .select(['id', 'admitted_at'])
      .where('id', 'in', [c1.id, a4.id])
      .execute();
    const at = new Map(admitted.map((row) => [row.id, row.admitted_at!.getTime()]));
    expect(at.get(c1.id)!).toBeLessThanOrEqual(at.get(a4.id)!);
    // The image model never had more than three front views at once, and never the cancelled one.
    expect(h.gemini.stats().total - startedBefore).toBe(5);
    expect(h.gemini.stats().maxInFlight).toBeLessThanOrEqual(3);
    // A change is shown after its commit, in the background: the last one may follow the state we polled.
    await expect.poll(() => h.notifier.of(c1.id).at(-1)?.state).toBe('awaiting_approval');
    const c1Seen = h.notifier.of(c1.id);
    expect(c1Seen.at(-1)!.admittedAt!.getTime()).toBe(at.get(c1.id));
    expect(await states()).not.toContain('queued');
  });

  it('holds to the workspace cap when twelve people ask at the same moment', async () => {
    h.gemini.setLatency(800);
    const before = h.gemini.stats().total;
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => start(`U-burst-${i}`, `burst ${i}`)),
    );
    const designs = outcomes.map(designOf);
    expect(designs.filter((d) => d.state === 'generating_front')).toHaveLength(3);
    expect(designs.filter((d) => d.state === 'queued')).toHaveLength(9);
    // Read together (before the first front view is done): places 0..8, each once.
    const places = await Promise.all(designs.map((d) => h.workflow.service.snapshot(d.id)));
    expect(places.flatMap((d) => (d?.queue ? [d.queue.ahead] : [])).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 9 }, (_, i) => i),
    );
    let most = 0;
    const watch = setInterval(() => {
      void h.test.db
        .selectFrom('designs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('state', 'in', generating)
        .executeTakeFirstOrThrow()
        .then((row) => (most = Math.max(most, Number(row.n))));
    }, 20);
    for (const design of designs) expect((await settle(design.id)).state).toBe('awaiting_approval');
    clearInterval(watch);
    expect(most).toBeLessThanOrEqual(3);
    expect(h.gemini.stats().total - before).toBe(12);
  });
});

/** Holds the workspace row the way admissions lock it, from a connection of its own, until released. */
async function holdWorkspaceLock(url: string, workspaceId: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query('select 1 from workspaces where id = $1 for no key update', [workspaceId]);
  return async () => {
    await client.query('rollback');
    await client.end();
  };
}

/** Whether `promise` settles within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);

describe('new designs and the workspace lock', () => {
  let capped: Harness;
  let uncapped: Harness;
  beforeAll(async () => {
    [capped, uncapped] = await Promise.all([
      createHarness('admission_lock_capped', { workflow: { caps: { perWorkspace: 3, perUser: 2 } } }),
      createHarness('admission_lock_uncapped'),
    ]);
    // Slow enough that a design just started is still generating its front view when its start returns.
    for (const h of [capped, uncapped]) h.gemini.setLatency(1000);
  });
  afterAll(async () => {
    await Promise.all([capped.close(), uncapped.close()]);
  });

  const startIn = (h: Harness, userId: string) =>
    h.workflow.service.start({ workspaceId: h.workspaceId, actor: actor(userId), prompt: 'a stool' });

  it('without caps, starts a design while the workspace row is locked: a burst does not queue on it', async () => {
    const release = await holdWorkspaceLock(uncapped.test.url, uncapped.workspaceId);
    try {
      const started = startIn(uncapped, 'U-free');
      expect(await settlesWithin(started, 5_000)).toBe(true);
      expect(designOf(await started).state).toBe('generating_front');
    } finally {
      await release();
    }
  });

  it('with caps, waits for the lock, then counts and admits', async () => {
    const release = await holdWorkspaceLock(capped.test.url, capped.workspaceId);
    let started: Promise<WorkflowOutcome> | undefined;
    try {
      started = startIn(capped, 'U-capped');
      expect(await settlesWithin(started, 500)).toBe(false);
    } finally {
      await release();
    }
    expect(designOf(await started).state).toBe('generating_front');
  });
});

describe('a slot freed while a design is being created', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('admission_wakeup', { workflow: { caps: { perWorkspace: 5, perUser: 1 } } });
    h.gemini.setLatency(1000);
  });
  afterAll(() => h.close());

  it('starts the new design once it is committed, not never', async () => {
    const start = () =>
      h.workflow.service.start({ workspaceId: h.workspaceId, actor: actor('U-wake'), prompt: 'a bench' });
    const running = designOf(await start());
    expect(running.state).toBe('generating_front');
    // A design of the same person, about to wait in line: created (here: put back in line) by a
    // transaction that holds the workspace lock and has not committed yet.
    const later = designOf(await start());
    expect(later.state).toBe('queued');
    designOf(await h.workflow.service.cancel({ designId: later.id, actor: actor('U-wake') }));
    const creating = new pg.Client({ connectionString: h.test.url });
    await creating.connect();
    try {
      await creating.query('begin');
      await creating.query('select 1 from workspaces where id = $1 for no key update', [h.workspaceId]);
      await creating.query("update designs set state = 'queued', finished_at = null where id = $1", [
        later.id,
      ]);
      // The running design leaves: its slot is free while the waiting one is still uncommitted.
      const cancelling = h.workflow.service.cancel({ designId: running.id, actor: actor('U-wake') });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await creating.query('commit');
      expect(designOf(await cancelling).state).toBe('cancelled');
    } finally {
      await creating.end();
    }
    const admitted = await waitFor(h.workflow, later.id, (d) => d.state !== 'queued', 5_000);
    expect(admitted.state).toMatch(/generating_front|awaiting_approval/);
  });
});
