import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { ensureWorkspace } from '../../src/storage/workspaces.ts';
import { auditDesign, auditDesigns, type DesignAudit } from '../../src/workflow/design-audit.ts';
import { designAuditCsv, designAuditCsvHeader } from '../../src/workflow/design-audit-csv.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { parseCsv } from '../helpers/parse-csv.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

// Hostile on purpose: a formula, commas, quotes and line breaks in what requesters type.
const prompt = '=HYPERLINK("http://evil.example"), a "desk lamp",\nwith ""quotes"" and, commas';
const feedback = '@SUM(1) make the shade "green",\nplease, and\tthinner';
const declineReason = '-2+3 off-brand, "too loud",\nstart from the spring palette';

function idOf(outcome: WorkflowOutcome): string {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.design.id;
}

type LedgerTotals = { held: number; captured: number; released: number; expired: number };

describe('design audit (real designs through the workflow, Postgres ledger)', () => {
  let h: Harness;
  let completed: string;
  let cancelled: string;
  let failed: string;
  let retried: string;
  let declined: string;
  let declinedBetween: [Date, Date];
  let old: string;
  let approvedBetween: [Date, Date];
  let audit: DesignAudit[];
  const requester = actor('U-req');
  const admin = actor('U-admin', { isAdmin: true });

  /** The ledger's own sums, per design: its holds are the subjects design:<id>:<n>. */
  async function ledgerTotals(designId: string): Promise<LedgerTotals> {
    const { rows } = await sql<{ kind: string; account_id: number; total: number }>`
      select e.kind, e.account_id, sum(e.amount)::integer as total
      from credit_holds h join ledger_entries e on e.hold_id = h.id
      where h.subject like ${`design:${designId}:%`}
      group by e.kind, e.account_id`.execute(h.test.db);
    const sum = (...kinds: string[]) =>
      rows.filter((row) => kinds.includes(row.kind)).reduce((total, row) => total + row.total, 0);
    return {
      held: sum('reserve', 'extend'),
      captured: sum('capture'),
      released: sum('release'),
      expired: sum('expire'),
    };
  }

  /** model_calls rows arrive in batches a moment after each call: wait until a read repeats itself. */
  async function settledModelCalls(): Promise<void> {
    const read = async () =>
      JSON.stringify(
        await h.test.db
          .selectFrom('model_calls')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      );
    let last = await read();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const now = await read();
      if (now === last) return;
      last = now;
    }
  }

  beforeAll(async () => {
    h = await createHarness('design_audit', { starterCredits: 30 });
    const { service } = h.workflow;
    const start = (text: string) =>
      service.start({ workspaceId: h.workspaceId, actor: requester, prompt: text });

    // Two edits (a preset, then typed feedback), approved by an admin, completed.
    completed = idOf(await start(prompt));
    await waitFor(h.workflow, completed, inState('awaiting_approval'));
    idOf(
      await service.edit({
        designId: completed,
        actor: requester,
        iteration: 1,
        edit: { preset: 'minimal' },
      }),
    );
    await waitFor(h.workflow, completed, (d) => d.state === 'awaiting_approval' && d.iteration === 2);
    idOf(await service.edit({ designId: completed, actor: requester, iteration: 2, edit: { feedback } }));
    await waitFor(h.workflow, completed, (d) => d.state === 'awaiting_approval' && d.iteration === 3);
    const before = new Date();
    idOf(await service.approve({ designId: completed, actor: admin, iteration: 3 }));
    approvedBetween = [before, new Date()];
    expect((await waitFor(h.workflow, completed, inState('completed', 'failed'))).state).toBe('completed');

    cancelled = idOf(await start('a teapot, cancelled'));
    await waitFor(h.workflow, cancelled, inState('awaiting_approval'));
    idOf(await service.cancel({ designId: cancelled, actor: requester }));

    h.gemini.script({ kind: 'blocked' });
    failed = idOf(await start('something the model refuses'));
    expect((await waitFor(h.workflow, failed, inState('failed', 'awaiting_approval'))).state).toBe('failed');

    // Failed, retried and completed: two holds (design:<id>:1 released, design:<id>:2 captured).
    h.gemini.script({ kind: 'blocked' });
    retried = idOf(await start('a chair, second try'));
    await waitFor(h.workflow, retried, inState('failed'));
    idOf(await service.retry({ designId: retried, actor: requester }));
    await waitFor(h.workflow, retried, inState('awaiting_approval'));
    idOf(await service.approve({ designId: retried, actor: requester, iteration: 1 }));
    expect((await waitFor(h.workflow, retried, inState('completed', 'failed'))).state).toBe('completed');

    // One edit, then its second iteration declined by an admin: held 3 + 1, all of it released.
    declined = idOf(await start('a kettle, declined'));
    await waitFor(h.workflow, declined, inState('awaiting_approval'));
    idOf(
      await service.edit({ designId: declined, actor: requester, iteration: 1, edit: { preset: 'color' } }),
    );
    await waitFor(h.workflow, declined, (d) => d.state === 'awaiting_approval' && d.iteration === 2);
    const beforeDecline = new Date();
    idOf(await service.decline({ designId: declined, actor: admin, iteration: 2, reason: declineReason }));
    declinedBetween = [beforeDecline, new Date()];

    // Created long ago: outside a 30-day window.
    old = idOf(await start('an old kettle'));
    await waitFor(h.workflow, old, inState('awaiting_approval'));
    idOf(await service.cancel({ designId: old, actor: requester }));
    await h.test.db
      .updateTable('designs')
      .set({ created_at: new Date(Date.now() - 40 * 86_400_000) })
      .where('id', '=', old)
      .execute();

    await settledModelCalls();
    audit = await auditDesigns(h.test.db, {
      workspaceId: h.workspaceId,
      since: new Date(Date.now() - 30 * 86_400_000),
    });
  }, 60_000);

  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });

  const find = (id: string) => audit.find((design) => design.id === id)!;

  it('lists the window’s designs oldest first, and not the one created before it', () => {
    expect(audit.map((design) => design.id)).toEqual([completed, cancelled, failed, retried, declined]);
    expect(audit.map((design) => design.state)).toEqual([
      'completed',
      'cancelled',
      'failed',
      'completed',
      'declined',
    ]);
    expect(audit.every((design) => design.requesterId === 'U-req')).toBe(true);
  });

  it('matches the ledger exactly, per design', async () => {
    for (const design of [completed, cancelled, failed, retried, declined]) {
      expect({ design, ...find(design).credits }).toEqual({ design, ...(await ledgerTotals(design)) });
    }
    expect(find(completed).credits).toEqual({ held: 5, captured: 5, released: 0, expired: 0 });
    expect(find(cancelled).credits).toEqual({ held: 3, captured: 0, released: 3, expired: 0 });
    expect(find(failed).credits).toEqual({ held: 3, captured: 0, released: 3, expired: 0 });
    expect(find(retried).credits).toEqual({ held: 6, captured: 3, released: 3, expired: 0 });
    // Declined: held, then released in full; nothing charged.
    expect(find(declined).credits).toEqual({ held: 4, captured: 0, released: 4, expired: 0 });
  });

  it('says who asked for what in each iteration, and when its front view came', () => {
    const design = find(completed);
    expect(design.prompt).toBe(prompt);
    expect(design.iterations.map((i) => [i.iteration, i.requestedBy, i.askedVia, i.askedFor])).toEqual([
      [1, 'U-req', 'prompt', prompt],
      [2, 'U-req', 'preset', 'More minimal'],
      [3, 'U-req', 'feedback', feedback],
    ]);
    for (const [index, iteration] of design.iterations.entries()) {
      expect(iteration.frontCompletedAt!.getTime()).toBeGreaterThanOrEqual(iteration.requestedAt.getTime());
      const next = design.iterations[index + 1];
      if (next)
        expect(next.requestedAt.getTime()).toBeGreaterThanOrEqual(iteration.frontCompletedAt!.getTime());
    }
    expect(find(failed).iterations).toMatchObject([
      { iteration: 1, askedVia: 'prompt', frontCompletedAt: null, decision: null },
    ]);
    expect(find(failed).failureKind).toBe('blocked');
  });

  it('records who approved which iteration and when', () => {
    const design = find(completed);
    expect(design.decision).toMatchObject({ kind: 'approved', iteration: 3, by: 'U-admin' });
    const at = design.decision!.at.getTime();
    expect(at).toBeGreaterThanOrEqual(approvedBetween[0].getTime());
    expect(at).toBeLessThanOrEqual(approvedBetween[1].getTime());
    expect(design.iterations.map((i) => [i.decision, i.decidedBy])).toEqual([
      [null, null],
      [null, null],
      ['approved', 'U-admin'],
    ]);
    expect(design.finishedAt!.getTime()).toBeGreaterThanOrEqual(at);
    expect(find(cancelled).decision).toBeNull();
    expect(find(cancelled).finishedAt).not.toBeNull();
  });

  it('records who declined which iteration, when and why', () => {
    const design = find(declined);
    expect(design.decision).toMatchObject({
      kind: 'declined',
      iteration: 2,
      by: 'U-admin',
      reason: declineReason,
    });
    expect(design.decision!.at).toBeInstanceOf(Date);
    const at = design.decision!.at.getTime();
    expect(at).toBeGreaterThanOrEqual(declinedBetween[0].getTime());
    expect(at).toBeLessThanOrEqual(declinedBetween[1].getTime());
    expect(design.finishedAt).toEqual(design.decision!.at);
    expect(design.iterations.map((i) => [i.iteration, i.askedVia, i.decision, i.decidedBy])).toEqual([
      [1, 'prompt', null, null],
      [2, 'preset', 'declined', 'U-admin'],
    ]);
    expect(design.iterations[1]!.decidedAt).toEqual(design.decision!.at);
  });

  it('adds up model time and estimated cost from model_calls', async () => {
    const { rows } = await sql<{ design_id: string; calls: number; ms: number; micro: number }>`
      select design_id, count(*)::integer as calls, sum(latency_ms)::integer as ms,
             sum(cost_microusd)::integer as micro
      from model_calls group by design_id`.execute(h.test.db);
    for (const design of audit) {
      const row = rows.find((r) => r.design_id === design.id)!;
      expect(design.model).toEqual({ calls: row.calls, latencyMs: row.ms, costMicroUsd: row.micro });
    }
    // Front, two edits, four views, and the features of each of the three front views.
    expect(find(completed).model.calls).toBe(10);
    expect(find(completed).model.latencyMs).toBeGreaterThan(0);
    expect(find(completed).model.costMicroUsd).toBeGreaterThan(0);
    expect(find(failed).model.calls).toBeGreaterThanOrEqual(1);
  });

  it('reads one design for the chat’s detail, only from its own workspace', async () => {
    expect(await auditDesign(h.test.db, { workspaceId: h.workspaceId, designId: completed })).toEqual(
      find(completed),
    );
    expect((await auditDesign(h.test.db, { workspaceId: h.workspaceId, designId: old }))?.credits).toEqual(
      await ledgerTotals(old),
    );
    const other = await ensureWorkspace(h.test.db, 'discord', 'G-other');
    expect(await auditDesign(h.test.db, { workspaceId: other.id, designId: completed })).toBeUndefined();
    expect(await auditDesigns(h.test.db, { workspaceId: other.id, since: new Date(0) })).toEqual([]);
  });

  it('writes CSV that parses back: one row per iteration, hostile text intact, formulas defused', () => {
    const rows = parseCsv(designAuditCsv(audit));
    expect(rows[0]).toEqual(designAuditCsvHeader);
    const records = rows.slice(1).map((row) => {
      expect(row).toHaveLength(designAuditCsvHeader.length);
      return Object.fromEntries(designAuditCsvHeader.map((name, i) => [name, row[i]!]));
    });
    expect(records.map((r) => [r.design_id, r.iteration, r.state])).toEqual([
      [completed, '1', 'completed'],
      [completed, '2', 'completed'],
      [completed, '3', 'completed'],
      [cancelled, '1', 'cancelled'],
      [failed, '1', 'failed'],
      [retried, '1', 'completed'],
      [declined, '1', 'declined'],
      [declined, '2', 'declined'],
    ]);
    const design = find(completed);
    // A leading apostrophe keeps a spreadsheet from running what a requester typed.
    expect(records.map((r) => r.asked_for)).toEqual([
      `'${prompt}`,
      'More minimal',
      `'${feedback}`,
      'a teapot, cancelled',
      'something the model refuses',
      'a chair, second try',
      'a kettle, declined',
      'Change the color',
    ]);
    expect(records[2]).toMatchObject({
      prompt: `'${prompt}`,
      requester: 'U-req',
      decision: 'approved',
      decided_iteration: '3',
      decided_by: 'U-admin',
      decided_at: design.decision!.at.toISOString(),
      credits_held: '5',
      credits_captured: '5',
      credits_released: '0',
      model_calls: '10',
      model_ms: String(design.model.latencyMs),
      est_cost_usd: String(design.model.costMicroUsd / 1_000_000),
      asked_via: 'feedback',
      iteration_decision: 'approved',
      front_completed_at: design.iterations[2]!.frontCompletedAt!.toISOString(),
    });
    expect(records[0]).toMatchObject({ iteration_decision: '', decided_by: 'U-admin' });
    expect(records[3]).toMatchObject({
      credits_released: '3',
      decision: '',
      decided_at: '',
      decline_reason: '',
    });
    expect(records[2]!.decline_reason).toBe('');
    // The decline: who, which iteration, when and why (a formula-like reason defused like a prompt).
    const decline = find(declined).decision!;
    expect(records[7]).toMatchObject({
      state: 'declined',
      decision: 'declined',
      decided_iteration: '2',
      decided_by: 'U-admin',
      decided_at: decline.at.toISOString(),
      decline_reason: `'${declineReason}`,
      credits_held: '4',
      credits_captured: '0',
      credits_released: '4',
      credits_expired: '0',
      iteration: '2',
      iteration_decision: 'declined',
    });
    expect(records[6]).toMatchObject({ iteration_decision: '', decision: 'declined' });
    // Columns added later come last: the older ones keep their positions.
    expect(designAuditCsvHeader.indexOf('iteration_decision')).toBe(25);
    expect(designAuditCsvHeader.at(-1)).toBe('decline_reason');
  });
});
