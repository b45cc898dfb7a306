import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import type { ModelCallsTable } from '../../src/storage/schema.ts';
import type { Selectable } from 'kysely';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

type CallRow = Selectable<ModelCallsTable>;

async function callsOf(h: Harness, designId: string, count: number): Promise<CallRow[]> {
  // Calls are written in batches a moment after they end.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await h.test.db
      .selectFrom('model_calls')
      .selectAll()
      .where('design_id', '=', designId)
      .orderBy('id')
      .execute();
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const tally = (rows: CallRow[]) =>
  rows.reduce<Record<string, number>>((counts, row) => {
    const key = `${row.purpose}:${row.outcome}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

async function completeWithTwoEdits(h: Harness, userId: string): Promise<string> {
  const { service } = h.workflow;
  const who = actor(userId);
  const started = await service.start({ workspaceId: h.workspaceId, actor: who, prompt: 'a desk lamp' });
  if (!started.ok) throw new Error(started.reason);
  const id = started.design.id;
  await waitFor(h.workflow, id, inState('awaiting_approval'));
  expect(
    (await service.edit({ designId: id, actor: who, iteration: 1, edit: { preset: 'minimal' } })).ok,
  ).toBe(true);
  await waitFor(h.workflow, id, (d) => d.state === 'awaiting_approval' && d.iteration === 2);
  const feedback = { feedback: 'a brass base' };
  expect((await service.edit({ designId: id, actor: who, iteration: 2, edit: feedback })).ok).toBe(true);
  await waitFor(h.workflow, id, (d) => d.state === 'awaiting_approval' && d.iteration === 3);
  expect((await service.approve({ designId: id, actor: who, iteration: 3 })).ok).toBe(true);
  expect((await waitFor(h.workflow, id, inState('completed', 'failed'))).state).toBe('completed');
  return id;
}

describe('model calls with usage in the answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('model_calls');
  });
  afterAll(() => h.close());

  it('records a design with two edits: front, two edits, four views, the features of each front view', async () => {
    const id = await completeWithTwoEdits(h, 'U-calls');
    const rows = await callsOf(h, id, 10);
    expect(tally(rows)).toEqual({
      'front:ok': 1,
      'edit:ok': 2,
      'view:ok': 4,
      // Features are read off every front view shown, so approving never waits for them.
      'features:ok': 3,
    });
    const image = rows.find((row) => row.purpose === 'view')!;
    expect(image).toMatchObject({
      workspace_id: h.workspaceId,
      requester_id: 'U-calls',
      provider: 'gemini',
      model: 'gemini-2.5-flash-image',
      tokens_in: 12,
      tokens_out: 1290,
      images: 1,
      priced_by: 'tokens',
    });
    // 12 × $0.30 + 1,290 × $30 per million tokens.
    expect(Number(image.cost_microusd)).toBe(38_704);
    const features = rows.find((row) => row.purpose === 'features')!;
    expect(features).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 850,
      tokens_out: 120,
      images: 0,
      priced_by: 'tokens',
    });
    for (const row of rows) {
      expect(row.latency_ms).toBeGreaterThanOrEqual(0);
      expect(row.started_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('records a view drawn again on request as a view edit', async () => {
    const id = await completeWithTwoEdits(h, 'U-redraw');
    await callsOf(h, id, 10);
    const edited = await h.workflow.service.editView({
      designId: id,
      actor: actor('U-redraw'),
      view: 'back',
      instruction: 'show the cable port',
    });
    expect(edited.ok).toBe(true);
    await waitFor(h.workflow, id, (d) => d.state === 'completed' && d.round === 2);
    expect(tally(await callsOf(h, id, 11))['view_edit:ok']).toBe(1);
  });

  it('records a failed call with its outcome and no cost, then the retry that worked', async () => {
    h.gemini.script({ kind: 'status', status: 503 });
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-retry'),
      prompt: 'a kettle',
    });
    if (!started.ok) throw new Error(started.reason);
    await waitFor(h.workflow, started.design.id, inState('awaiting_approval'));
    const rows = await callsOf(h, started.design.id, 3);
    const fronts = rows.filter((row) => row.purpose === 'front');
    expect(fronts.map((row) => row.outcome)).toEqual(['transient_error', 'ok']);
    expect(fronts[0]).toMatchObject({ tokens_in: null, images: 0, priced_by: 'unpriced' });
    expect(Number(fronts[0]!.cost_microusd)).toBe(0);
  });

  it('records a refused front view as blocked, and the design fails', async () => {
    h.gemini.script({ kind: 'blocked', reason: 'SAFETY' });
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-blocked'),
      prompt: 'something refused',
    });
    if (!started.ok) throw new Error(started.reason);
    await waitFor(h.workflow, started.design.id, inState('failed'));
    expect(tally(await callsOf(h, started.design.id, 1))).toEqual({ 'front:blocked': 1 });
  });

  it('finishes a design whose call records cannot be written, and says so in the log', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const workflow = await h.makeWorkflow({ logger });
    // Postgres itself refuses every new row (NOT VALID leaves the existing rows alone).
    await sql`alter table model_calls add constraint refuse_new_rows check (provider = 'none') not valid`.execute(
      h.test.db,
    );
    try {
      const who = actor('U-unrecorded');
      const started = await workflow.service.start({
        workspaceId: h.workspaceId,
        actor: who,
        prompt: 'a mug',
      });
      if (!started.ok) throw new Error(started.reason);
      const id = started.design.id;
      await waitFor(workflow, id, inState('awaiting_approval'));
      expect((await workflow.service.approve({ designId: id, actor: who, iteration: 1 })).ok).toBe(true);
      const done = await waitFor(workflow, id, inState('completed', 'failed'));
      expect(done.state).toBe('completed');
      expect(done.charged).toBe(3);
      await workflow.close();
      expect(await callsOf(h, id, 0)).toEqual([]);
      expect(lines.join('')).toContain('model call records could not be written');
    } finally {
      await sql`alter table model_calls drop constraint refuse_new_rows`.execute(h.test.db);
    }
  });
});

describe('model calls without usage in the answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('model_calls_bare', { withoutUsage: true });
  });
  afterAll(() => h.close());

  it('prices image calls by their images and a vision call as a typical call', async () => {
    const who = actor('U-bare');
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: who,
      prompt: 'a chair',
    });
    if (!started.ok) throw new Error(started.reason);
    const id = started.design.id;
    await waitFor(h.workflow, id, inState('awaiting_approval'));
    expect((await h.workflow.service.approve({ designId: id, actor: who, iteration: 1 })).ok).toBe(true);
    await waitFor(h.workflow, id, inState('completed'));
    const rows = await callsOf(h, id, 6);
    expect(tally(rows)).toEqual({ 'front:ok': 1, 'view:ok': 4, 'features:ok': 1 });
    for (const row of rows.filter((r) => r.purpose !== 'features')) {
      expect(row).toMatchObject({ tokens_in: null, tokens_out: null, images: 1, priced_by: 'images' });
      expect(Number(row.cost_microusd)).toBe(39_000);
    }
    const features = rows.find((row) => row.purpose === 'features')!;
    expect(features).toMatchObject({ tokens_in: null, priced_by: 'call' });
    expect(Number(features.cost_microusd)).toBe(4_000);
  });
});

describe('AI budgets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('model_budgets');
  });
  afterAll(() => h.close());

  async function ledgerAndDesigns() {
    const [entries, designs] = await Promise.all([
      h.test.db
        .selectFrom('ledger_entries')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
      h.test.db
        .selectFrom('designs')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { entries: Number(entries.n), designs: Number(designs.n) };
  }

  it('refuses the next design once a workspace reaches its monthly cap, tells the card once, holds nothing', async () => {
    // Ten cents: one design (five images at about 3.9 cents) goes past it.
    const workspace = await ensureWorkspace(h.test.db, 'slack', 'T-budget');
    await h.test.db
      .updateTable('workspaces')
      .set({ monthly_budget_cents: 10 })
      .where('id', '=', workspace.id)
      .execute();
    const who = actor('U-budget');
    const first = await h.workflow.service.start({ workspaceId: workspace.id, actor: who, prompt: 'a lamp' });
    if (!first.ok) throw new Error(first.reason);
    const id = first.design.id;
    await waitFor(h.workflow, id, inState('awaiting_approval'));
    expect((await h.workflow.service.approve({ designId: id, actor: who, iteration: 1 })).ok).toBe(true);
    // Running designs finish, even past the cap.
    await waitFor(h.workflow, id, inState('completed'));
    const told = await waitFor(h.workflow, id, (d) => d.budgetNotice?.level === 100);
    expect(told.budgetNotice).toMatchObject({ level: 100, capUsd: 0.1 });
    expect(told.budgetNotice!.spentUsd).toBeGreaterThanOrEqual(0.1);
    const notices = await h.test.db
      .selectFrom('budget_notices')
      .select(['level', 'design_id'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('level')
      .execute();
    expect(notices).toEqual([
      { level: 80, design_id: id },
      { level: 100, design_id: id },
    ]);

    const before = await ledgerAndDesigns();
    const refused = await h.workflow.service.start({
      workspaceId: workspace.id,
      actor: who,
      prompt: 'a desk',
    });
    expect(refused).toMatchObject({ ok: false, reason: 'over_budget', scope: 'workspace' });
    expect(await ledgerAndDesigns()).toEqual(before);

    // Another workspace without a cap is not held back by this one's.
    const elsewhere = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: who,
      prompt: 'a desk',
    });
    expect(elsewhere.ok).toBe(true);
    if (elsewhere.ok) await waitFor(h.workflow, elsewhere.design.id, inState('awaiting_approval'));
    // Raising the cap lets designs start again.
    await h.test.db
      .updateTable('workspaces')
      .set({ monthly_budget_cents: 10_000 })
      .where('id', '=', workspace.id)
      .execute();
    const again = await h.workflow.service.start({ workspaceId: workspace.id, actor: who, prompt: 'a desk' });
    expect(again.ok).toBe(true);
    if (again.ok) await waitFor(h.workflow, again.design.id, inState('awaiting_approval'));
  });

  it("refuses new designs everywhere once the operator's daily cap is reached", async () => {
    const capped = await h.makeWorkflow({ budgets: { dailyCents: 1 } });
    const before = await ledgerAndDesigns();
    const refused = await capped.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-daily'),
      prompt: 'a chair',
    });
    expect(refused).toMatchObject({ ok: false, reason: 'over_budget', scope: 'operator' });
    expect(await ledgerAndDesigns()).toEqual(before);
  });
});
