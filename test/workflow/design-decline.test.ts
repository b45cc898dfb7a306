import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { DbSnapshots, diffSnapshots } from '../chaos/db-diff.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
  return outcome.design;
}

const leads = 'S-leads';
const lead = actor('U-lead', { groups: [leads] });
const admin = actor('U-admin', { isAdmin: true });

/**
 * Declining through the real DesignService (Gemini SDK against its loopback fake, Postgres ledger):
 * credits, the snapshot the cards are drawn from, who may decline and approve, and refusals that leave
 * every row as it was.
 */
describe('declining a design', () => {
  let h: Harness;
  let snaps: DbSnapshots;

  beforeAll(async () => {
    h = await createHarness('decline');
    snaps = new DbSnapshots(h.test.db);
  });
  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });
  // Each test states the policy it needs; by default the workspace has an approver group.
  beforeEach(() => policy({ approverGroup: leads, requestersApprove: null }));

  async function policy(rule: { approverGroup: string | null; requestersApprove: boolean | null }) {
    await h.test.db
      .updateTable('workspaces')
      .set({ approver_group: rule.approverGroup, requesters_approve: rule.requestersApprove })
      .where('id', '=', h.workspaceId)
      .execute();
  }
  const balance = (userId: string) => h.ledger.balance({ workspaceId: h.workspaceId, userId });

  /** A design awaiting approval, its front view's features read (nothing left to happen in the background). */
  async function awaiting(userId: string, prompt = 'a ceramic teapot'): Promise<DesignSnapshot> {
    const started = designOf(
      await h.workflow.service.start({ workspaceId: h.workspaceId, actor: actor(userId), prompt }),
    );
    return waitFor(h.workflow, started.id, (d) => d.state === 'awaiting_approval' && hasFeatures(d));
  }
  const hasFeatures = (design: DesignSnapshot) => design.iterations.at(-1)?.features != null;

  it('releases the hold, charges nothing, and shows who declined and why', async () => {
    const design = await awaiting('U-dec');
    expect(await balance('U-dec')).toEqual({ balance: 10, held: 3, available: 7 });
    const before = Date.now();
    const outcome = await h.workflow.service.decline({
      designId: design.id,
      actor: lead,
      iteration: 1,
      reason: '  off-brand colours\u0007, start again  ',
    });
    const declined = designOf(outcome);
    expect(declined).toMatchObject({ state: 'declined', iteration: 1, held: 0, charged: 0 });
    // The reason as the requester is told it: control characters blanked, the ends trimmed.
    expect(declined.declined).toMatchObject({ by: 'U-lead', reason: 'off-brand colours , start again' });
    expect(declined.declined!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await balance('U-dec')).toEqual({ balance: 10, held: 0, available: 10 });
    expect((await auditLedger(h.test.db)).violations).toEqual([]);

    // The snapshot the cards are drawn from, read afresh, and the last one a platform was shown.
    const stored = await h.workflow.service.snapshot(design.id);
    expect(stored).toMatchObject({ state: 'declined', declined: declined.declined, approvedBy: null });
    await expect.poll(() => h.notifier.of(design.id).at(-1)?.state).toBe('declined');
    expect(h.notifier.of(design.id).at(-1)?.declined).toEqual(declined.declined);
    const row = await h.test.db
      .selectFrom('designs')
      .select(['declined_by', 'declined_at', 'decline_reason', 'finished_at', 'hold_id'])
      .where('id', '=', design.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ declined_by: 'U-lead', decline_reason: 'off-brand colours , start again' });
    expect(row.finished_at).toEqual(row.declined_at);
    const holds = await h.test.db
      .selectFrom('credit_holds')
      .select(['status', 'amount'])
      .where('subject', 'like', `design:${design.id}:%`)
      .execute();
    expect(holds).toEqual([{ status: 'released', amount: 3 }]);

    // Declined is the end: nothing more is decided on it.
    const { service } = h.workflow;
    const after = [
      await service.decline({ designId: design.id, actor: lead, iteration: 1, reason: 'again' }),
      await service.approve({ designId: design.id, actor: lead, iteration: 1 }),
      await service.edit({ designId: design.id, actor: lead, iteration: 1, edit: { preset: 'minimal' } }),
      await service.cancel({ designId: design.id, actor: actor('U-dec') }),
      await service.retry({ designId: design.id, actor: actor('U-dec') }),
    ];
    expect(after.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'finished',
      'finished',
      'finished',
      'finished',
      'not_failed',
    ]);
    expect(await balance('U-dec')).toEqual({ balance: 10, held: 0, available: 10 });
  });

  it('lets an admin decline, with or without an approver group', async () => {
    await policy({ approverGroup: null, requestersApprove: null });
    const design = await awaiting('U-adm');
    const declined = designOf(
      await h.workflow.service.decline({ designId: design.id, actor: admin, iteration: 1, reason: 'no' }),
    );
    expect(declined.declined).toMatchObject({ by: 'U-admin', reason: 'no' });
    expect(await balance('U-adm')).toEqual({ balance: 10, held: 0, available: 10 });
  });

  it('refuses a decline by the requester (even an approver) or a stranger, and changes nothing', async () => {
    const design = await awaiting('U-own');
    const before = await snaps.settled(800);
    const { service } = h.workflow;
    const refusals = [
      actor('U-own'),
      actor('U-own', { groups: [leads] }),
      actor('U-stranger'),
      actor('U-other-group', { groups: ['S-other'] }),
    ];
    for (const who of refusals) {
      const outcome = await service.decline({ designId: design.id, actor: who, iteration: 1, reason: 'no' });
      expect({ who: who.userId, outcome: outcome.ok ? 'ok' : outcome.reason }).toEqual({
        who: who.userId,
        outcome: 'not_allowed',
      });
      expect(await service.checkDecline({ designId: design.id, actor: who, iteration: 1 })).toEqual({
        reason: 'not_allowed',
      });
    }
    expect(await service.checkDecline({ designId: design.id, actor: lead, iteration: 1 })).toBeUndefined();
    expect(diffSnapshots(before, await snaps.take())).toEqual({});
    // Without an approver group nobody but an admin declines: the requester cancels instead.
    await policy({ approverGroup: null, requestersApprove: null });
    const withoutGroup = await snaps.take();
    const alone = await service.decline({
      designId: design.id,
      actor: actor('U-own'),
      iteration: 1,
      reason: 'x',
    });
    expect(alone).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(diffSnapshots(withoutGroup, await snaps.take())).toEqual({});
    expect(designOf(await service.cancel({ designId: design.id, actor: actor('U-own') })).state).toBe(
      'cancelled',
    );
  });

  it('refuses a decline of an older iteration as stale, then declines the current one', async () => {
    const design = await awaiting('U-stale');
    const { service } = h.workflow;
    designOf(
      await service.edit({
        designId: design.id,
        actor: actor('U-stale'),
        iteration: 1,
        edit: { preset: 'color' },
      }),
    );
    await waitFor(
      h.workflow,
      design.id,
      (d) => d.state === 'awaiting_approval' && d.iteration === 2 && hasFeatures(d),
    );
    const before = await snaps.settled(800);
    const stale = await service.decline({ designId: design.id, actor: lead, iteration: 1, reason: 'no' });
    expect(stale).toMatchObject({ ok: false, reason: 'stale_iteration' });
    expect(await service.checkDecline({ designId: design.id, actor: lead, iteration: 1 })).toEqual({
      reason: 'stale_iteration',
    });
    const ahead = await service.decline({ designId: design.id, actor: lead, iteration: 3, reason: 'no' });
    expect(ahead).toMatchObject({ ok: false, reason: 'stale_iteration' });
    expect(diffSnapshots(before, await snaps.take())).toEqual({});

    const declined = designOf(
      await service.decline({ designId: design.id, actor: lead, iteration: 2, reason: 'still off-brand' }),
    );
    expect(declined).toMatchObject({ state: 'declined', iteration: 2, charged: 0, held: 0 });
    // The base price and the edit were held; all of it came back.
    const entries = await h.test.db
      .selectFrom('ledger_entries')
      .innerJoin('credit_holds', 'credit_holds.id', 'ledger_entries.hold_id')
      .select(['ledger_entries.kind', 'ledger_entries.amount'])
      .where('credit_holds.subject', 'like', `design:${design.id}:%`)
      .orderBy('ledger_entries.id')
      .execute();
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([
      ['reserve', 3],
      ['extend', 1],
      ['release', 4],
    ]);
    expect(await balance('U-stale')).toEqual({ balance: 10, held: 0, available: 10 });
  });

  it('refuses an empty or over-long reason, changing nothing; 1000 characters are enough', async () => {
    const design = await awaiting('U-reason');
    const { service } = h.workflow;
    const before = await snaps.settled(800);
    for (const reason of ['', '   ', '\n\t', '\u0001\u0002']) {
      const outcome = await service.decline({ designId: design.id, actor: lead, iteration: 1, reason });
      expect({ reason, outcome }).toEqual({ reason, outcome: { ok: false, reason: 'empty_decline_reason' } });
    }
    const long = await service.decline({
      designId: design.id,
      actor: lead,
      iteration: 1,
      reason: 'x'.repeat(1001),
    });
    expect(long).toEqual({ ok: false, reason: 'feedback_too_long', max: 1000 });
    expect(diffSnapshots(before, await snaps.take())).toEqual({});
    const longest = designOf(
      await service.decline({
        designId: design.id,
        actor: lead,
        iteration: 1,
        reason: ` ${'y'.repeat(1000)} `,
      }),
    );
    expect(longest.declined?.reason).toBe('y'.repeat(1000));
  });

  describe('who approves (requesters_approve)', () => {
    it('by default, with an approver group, only the group approves: not the requester, even a member', async () => {
      const design = await awaiting('U-member');
      const { service } = h.workflow;
      const before = await snaps.settled(800);
      for (const who of [actor('U-member'), actor('U-member', { groups: [leads] })]) {
        const outcome = await service.approve({ designId: design.id, actor: who, iteration: 1 });
        expect(outcome).toMatchObject({ ok: false, reason: 'not_allowed' });
      }
      expect(diffSnapshots(before, await snaps.take())).toEqual({});
      expect(
        designOf(await service.approve({ designId: design.id, actor: lead, iteration: 1 })).approvedBy,
      ).toBe('U-lead');
      expect((await waitFor(h.workflow, design.id, inState('completed', 'failed'))).state).toBe('completed');
    });

    it('with requesters_approve, the requester approves their own design, group or not', async () => {
      await policy({ approverGroup: leads, requestersApprove: true });
      const { service } = h.workflow;
      for (const who of [actor('U-self'), actor('U-self', { groups: [leads] })]) {
        const design = await awaiting('U-self');
        const approved = designOf(await service.approve({ designId: design.id, actor: who, iteration: 1 }));
        expect(approved).toMatchObject({ state: 'generating_views', approvedBy: 'U-self' });
        const done = await waitFor(h.workflow, design.id, inState('completed', 'failed'));
        expect(done).toMatchObject({ state: 'completed', charged: 3 });
      }
      // Still no decline of one's own design: a requester withdraws it with Cancel.
      const own = await awaiting('U-self');
      expect(
        await service.decline({
          designId: own.id,
          actor: actor('U-self', { groups: [leads] }),
          iteration: 1,
          reason: 'no',
        }),
      ).toMatchObject({ ok: false, reason: 'not_allowed' });
      designOf(await service.cancel({ designId: own.id, actor: actor('U-self') }));
      expect(await balance('U-self')).toEqual({ balance: 4, held: 0, available: 4 });
    });

    it('with requesters_approve off and no group, only an admin approves', async () => {
      await policy({ approverGroup: null, requestersApprove: false });
      const design = await awaiting('U-nogroup');
      const { service } = h.workflow;
      expect(
        await service.approve({ designId: design.id, actor: actor('U-nogroup'), iteration: 1 }),
      ).toMatchObject({
        ok: false,
        reason: 'not_allowed',
      });
      expect(
        designOf(await service.approve({ designId: design.id, actor: admin, iteration: 1 })).approvedBy,
      ).toBe('U-admin');
      expect((await waitFor(h.workflow, design.id, inState('completed', 'failed'))).state).toBe('completed');
    });
  });
});
