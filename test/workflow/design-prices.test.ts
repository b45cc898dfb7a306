import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { updateWorkspaceSettings } from '../../src/storage/workspaces.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.design;
}

/** A design that costs nothing to start and 2 per edit (issue 17, "Zero prices"). */
describe('a free design with paid edits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('prices', { starterCredits: 1 });
    await updateWorkspaceSettings(
      h.test.db,
      h.workspaceId,
      {
        approverGroup: null,
        requestersApprove: null,
        approvalNotices: 'thread',
        prices: { design: 0, variation: 0, edit: 2 },
        monthlyBudgetCents: null,
      },
      'U-admin',
    );
  });
  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });

  const account = (userId: string) => ({ workspaceId: h.workspaceId, userId });
  const balance = (userId: string) => h.ledger.balance(account(userId));
  const grant = (userId: string, amount: number) =>
    h.ledger.grant({ account: account(userId), amount, key: `grant:${userId}` });
  const start = async (userId: string) => {
    const design = designOf(
      await h.workflow.service.start({
        workspaceId: h.workspaceId,
        actor: actor(userId),
        prompt: 'a free lamp',
      }),
    );
    return waitFor(h.workflow, design.id, inState('awaiting_approval'));
  };
  const edit = async (design: DesignSnapshot, userId: string) => {
    const edited = designOf(
      await h.workflow.service.edit({
        designId: design.id,
        actor: actor(userId),
        iteration: design.iteration,
        edit: { preset: 'minimal' },
      }),
    );
    return { edited, awaiting: await waitFor(h.workflow, design.id, inState('awaiting_approval')) };
  };
  const holdsOf = (designId: string) =>
    h.test.db
      .selectFrom('credit_holds')
      .select(['amount', 'status'])
      .where('subject', 'like', `design:${designId}:%`)
      .orderBy('created_at')
      .execute();

  it('charges 6 for three edits and an approval, holding each edit as it is asked for', async () => {
    await grant('U-three', 9);
    let design = await start('U-three');
    expect(design.held).toBe(0);
    for (const held of [2, 4, 6]) {
      const { edited, awaiting } = await edit(design, 'U-three');
      expect(edited.held).toBe(held);
      expect(await balance('U-three')).toEqual({ balance: 10, held, available: 10 - held });
      design = awaiting;
    }
    designOf(
      await h.workflow.service.approve({ designId: design.id, actor: actor('U-three'), iteration: 4 }),
    );
    const done = await waitFor(h.workflow, design.id, inState('completed', 'failed'));
    expect(done.state).toBe('completed');
    expect(done.charged).toBe(6);
    expect(await balance('U-three')).toEqual({ balance: 4, held: 0, available: 4 });
    // One hold for the phase, opened by the first edit and extended by the others.
    expect(await holdsOf(design.id)).toEqual([{ amount: 6, status: 'captured' }]);
    const revision = await h.test.db
      .selectFrom('revisions')
      .select('charged')
      .where('design_id', '=', design.id)
      .executeTakeFirstOrThrow();
    expect(revision.charged).toBe(6);
  });

  it('refuses the first edit its requester cannot pay for, and changes nothing', async () => {
    const design = await start('U-poor');
    const requests = h.gemini.requests.length;
    const refused = await h.workflow.service.edit({
      designId: design.id,
      actor: actor('U-poor'),
      iteration: 1,
      edit: { preset: 'minimal' },
    });
    expect(refused).toMatchObject({ ok: false, reason: 'insufficient_credits', cost: 2, available: 1 });
    const after = (await h.workflow.service.snapshot(design.id))!;
    expect(after).toMatchObject({ state: 'awaiting_approval', iteration: 1, held: 0 });
    expect(after.version).toBe('design' in refused ? refused.design?.version : 'no design in the answer');
    expect(after.iterations).toHaveLength(1);
    expect(await holdsOf(design.id)).toEqual([]);
    expect(h.gemini.requests.length).toBe(requests);
    expect(await balance('U-poor')).toEqual({ balance: 1, held: 0, available: 1 });

    // Approved as it is, it costs what it was shown to cost: nothing.
    designOf(await h.workflow.service.approve({ designId: design.id, actor: actor('U-poor'), iteration: 1 }));
    const done = await waitFor(h.workflow, design.id, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', charged: 0 });
    expect(await balance('U-poor')).toEqual({ balance: 1, held: 0, available: 1 });
  });

  it('returns what a failed phase held, and a retry holds exactly that again', async () => {
    await grant('U-retry', 4);
    let design = await start('U-retry');
    design = (await edit(design, 'U-retry')).awaiting;
    design = (await edit(design, 'U-retry')).awaiting;
    expect(await balance('U-retry')).toEqual({ balance: 5, held: 4, available: 1 });
    // A view the model refuses fails the design for good.
    h.gemini.script({ kind: 'blocked' });
    designOf(
      await h.workflow.service.approve({ designId: design.id, actor: actor('U-retry'), iteration: 3 }),
    );
    const failed = await waitFor(h.workflow, design.id, inState('failed', 'completed'));
    expect(failed).toMatchObject({ state: 'failed', held: 0, charged: 0, failure: { phase: 'views' } });
    expect(await balance('U-retry')).toEqual({ balance: 5, held: 0, available: 5 });

    // The view drawn again waits until the hold is seen: on a busy machine the design could otherwise be
    // finished (and the hold captured) before the retry's answer is read.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.gemini.setLatency(() => gate);
    const retried = designOf(
      await h.workflow.service.retry({ designId: design.id, actor: actor('U-retry') }),
    );
    expect(retried.held).toBe(4);
    expect(await balance('U-retry')).toEqual({ balance: 5, held: 4, available: 1 });
    h.gemini.setLatency(0);
    release();
    const done = await waitFor(h.workflow, design.id, inState('completed', 'failed'));
    expect(done).toMatchObject({ state: 'completed', charged: 4 });
    expect(await balance('U-retry')).toEqual({ balance: 1, held: 0, available: 1 });
    expect(await holdsOf(design.id)).toEqual([
      { amount: 4, status: 'released' },
      { amount: 4, status: 'captured' },
    ]);
  });
});
