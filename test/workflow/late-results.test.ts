import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

/** A model answer that arrives after its design ended changes nothing: no row, no version, no charge. */
describe('views that finish after their design was cancelled', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('late_results');
  });
  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });

  it('are dropped with the transition that refused them', async () => {
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-late'),
      prompt: 'a copper watering can',
    });
    if (!started.ok) throw new Error(started.reason);
    const id = started.design.id;
    await waitFor(h.workflow, id, inState('awaiting_approval'));
    h.gemini.setLatency(600);
    await h.workflow.service.approve({ designId: id, actor: actor('U-late'), iteration: 1 });
    await waitFor(h.workflow, id, (d) => d.views.some((v) => v.view !== 'front' && v.state === 'generating'));
    const cancelled = await h.workflow.service.cancel({ designId: id, actor: actor('U-late') });
    expect(cancelled).toMatchObject({ ok: true, design: { state: 'cancelled' } });
    const version = (await h.workflow.service.snapshot(id))!.version;
    // Every view's model call has answered by now, and been refused.
    await expect.poll(() => h.gemini.stats().inFlight, { timeout: 5_000 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await h.workflow.service.snapshot(id))!;
    expect(after.version).toBe(version);
    expect(after.views.filter((v) => v.view !== 'front' && v.state === 'done')).toEqual([]);
    expect(after.charged).toBe(0);
    expect(await h.ledger.balance({ workspaceId: h.workspaceId, userId: 'U-late' })).toMatchObject({
      balance: 10,
      held: 0,
    });
    h.gemini.setLatency(0);
  });
});
