import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditLedger } from '../../src/credits/ledger.ts';
import { openDatabase, type FacetDatabase } from '../../src/storage/database.ts';
import { DesignTransitions } from '../../src/workflow/design-transitions.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

/**
 * A release that adds a column while processes run: their prepared `select designs.*` is refused once
 * ("cached plan must not change result type"), and the transition it was part of runs again.
 */
describe('a migration under running processes', () => {
  let h: Harness;
  let db: FacetDatabase;
  beforeAll(async () => {
    h = await createHarness('schema_change');
    // One connection, so the statement prepared below is the one the transition meets.
    db = await openDatabase({ kind: 'postgres', url: h.test.url }, { poolSize: 1 });
  });
  afterAll(async () => {
    await db.destroy();
    await h.close();
  });

  it('retries a transition whose prepared statements went stale, and settles its credits once', async () => {
    const clock = () => new Date();
    const transitions = new DesignTransitions(db, new CreditLedger(db, { clock, starterCredits: 10 }), {
      clock,
      holdTtlMs: 3_600_000,
    });
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-release'),
      prompt: 'a rolling release',
    });
    if (!started.ok) throw new Error(started.reason);
    const designId = started.design.id;
    await waitFor(h.workflow, designId, inState('awaiting_approval'));
    // The design's read is prepared on the connection (the approval itself is refused: wrong iteration).
    const refused = await transitions.apply(
      designId,
      { type: 'approve', iteration: 99, actor: actor('U-release') },
      () => ({}),
    );
    expect(refused).toMatchObject({ ok: false, reason: 'stale_iteration' });

    const admin = new pg.Client({ connectionString: h.test.url });
    await admin.connect();
    await admin.query('alter table designs add column release_note text');
    await admin.end();

    const cancelled = await transitions.apply(
      designId,
      { type: 'cancel', actor: actor('U-release') },
      () => ({
        patch: { finished_at: clock() },
      }),
    );
    expect(cancelled).toMatchObject({ ok: true, design: { state: 'cancelled' } });
    expect(await h.ledger.balance({ workspaceId: h.workspaceId, userId: 'U-release' })).toEqual({
      balance: 10,
      held: 0,
      available: 10,
    });
  });
});
