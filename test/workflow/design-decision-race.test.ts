import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import { actor, createHarness, waitFor, type Harness } from './workflow-harness.ts';

const rounds = Number(process.env.DECISION_RACE_ROUNDS ?? 10);
const designsPerRound = 5;

const leads = 'S-leads';
const lead = actor('U-lead', { groups: [leads] });

type Contender = 'decline' | 'approve' | 'edit' | 'cancel';
const contenders: readonly Contender[] = ['decline', 'approve', 'edit', 'cancel'];
/** A refusal a loser may get: the state or iteration moved on. Never not_allowed, never an error. */
const losingReasons = new Set(['finished', 'already_approved', 'stale_iteration', 'not_ready']);
/** Settled for this test: nothing generating any more (an edit that won awaits its next iteration). */
const settledStates: readonly DesignSnapshot['state'][] = [
  'completed',
  'failed',
  'cancelled',
  'declined',
  'awaiting_approval',
];

/**
 * Decline, approve, edit and cancel fired at once at the same design awaiting approval, for many designs
 * at a time: each transition is a compare-and-set under the design's row lock, so one of them decides the
 * awaiting iteration and the others are refused. Cancel is the requester withdrawing: it may also win
 * second, after an approval or an edit, while the design generates (that is not a lost race: the
 * machine allows withdrawing then). The ledger is audited while the races run and after.
 */
describe('decisions racing on one design', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('decision_race', { starterCredits: 1000 });
    await h.test.db
      .updateTable('workspaces')
      .set({ approver_group: leads })
      .where('id', '=', h.workspaceId)
      .execute();
  });
  afterAll(() => h.close());

  it(`lets exactly one decision win per design (${rounds} rounds of ${designsPerRound} designs), and charges only completed designs`, async () => {
    const { service } = h.workflow;
    const wins: Record<Contender, number> = { decline: 0, approve: 0, edit: 0, cancel: 0 };
    let cancelledSecond = 0;
    const designs: string[] = [];
    const audits: Promise<string[]>[] = [];

    for (let round = 0; round < rounds; round++) {
      const started = await Promise.all(
        Array.from({ length: designsPerRound }, async (_, n) => {
          // Two requesters share the round's designs, so their races also meet on one credit account.
          const requester = actor(`U-req-${n % 2}`);
          const outcome = await service.start({
            workspaceId: h.workspaceId,
            actor: requester,
            prompt: `race ${round}.${n}: a desk lamp`,
          });
          if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`);
          await waitFor(h.workflow, outcome.design.id, (d) => d.state === 'awaiting_approval');
          return { id: outcome.design.id, requester, slot: round * designsPerRound + n };
        }),
      );

      audits.push(auditLedger(h.test.db).then((audit) => audit.violations));
      await Promise.all(
        started.map(async ({ id, requester, slot }) => {
          const fire: Record<Contender, () => Promise<WorkflowOutcome>> = {
            decline: () => service.decline({ designId: id, actor: lead, iteration: 1, reason: 'off-brand' }),
            approve: () => service.approve({ designId: id, actor: lead, iteration: 1 }),
            edit: () =>
              service.edit({ designId: id, actor: requester, iteration: 1, edit: { preset: 'minimal' } }),
            cancel: () => service.cancel({ designId: id, actor: requester }),
          };
          // Each contender is sent first for a quarter of the designs, and one is sent twice (a double
          // click). Every third round the requester does not withdraw: approvals there run to completion
          // and are charged (elsewhere a cancel following the approval withdraws the design).
          const withdraws = round % 3 !== 2;
          const order = contenders
            .map((_, i) => contenders[(slot + i) % contenders.length]!)
            .filter((kind) => withdraws || kind !== 'cancel');
          const twice = order[Math.floor(slot / contenders.length) % order.length]!;
          const sent = [...order, twice];
          const outcomes = await Promise.all(sent.map((kind) => fire[kind]()));
          const won = sent.filter((_, i) => outcomes[i]!.ok);
          const refusals = outcomes.flatMap((o) => (o.ok ? [] : [o.reason]));
          expect(
            refusals.filter((reason) => !losingReasons.has(reason)),
            id,
          ).toEqual([]);

          const decided = won.filter((kind) => kind !== 'cancel');
          const cancels = won.filter((kind) => kind === 'cancel').length;
          expect({ id, won }, 'one win per decision, the double click refused').toEqual({
            id,
            won: [...new Set(won)],
          });
          expect(decided.length, `${id}: ${won.join(',')}`).toBeLessThanOrEqual(1);
          if (decided.length === 0) expect(cancels, id).toBe(1);
          if (!withdraws) expect(decided.length, id).toBe(1);
          // Declined is the end: a withdrawal cannot follow it.
          if (decided[0] === 'decline') expect(cancels, id).toBe(0);
          wins[decided[0] ?? 'cancel'] += 1;
          if (decided.length === 1 && cancels === 1) cancelledSecond += 1;
          designs.push(id);

          const now = await service.snapshot(id);
          if (decided[0] === 'decline') expect(now?.declined?.by, id).toBe('U-lead');
          if (decided.length === 0) expect(now?.state, id).toBe('cancelled');
        }),
      );
    }

    const settled = await Promise.all(
      designs.map((id) => waitFor(h.workflow, id, (d) => settledStates.includes(d.state))),
    );
    expect((await Promise.all(audits)).flat()).toEqual([]);
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    for (const design of settled) {
      const expected =
        design.state === 'completed'
          ? { charged: 3, held: 0 }
          : design.state === 'awaiting_approval'
            ? { charged: 0, held: 4 }
            : { charged: 0, held: 0 };
      expect({ id: design.id, state: design.state, charged: design.charged, held: design.held }).toEqual({
        id: design.id,
        state: design.state,
        ...expected,
      });
    }
    // Every account holds exactly what its designs awaiting approval hold, and paid for the completed.
    const balances = await Promise.all(
      ['U-req-0', 'U-req-1'].map((userId) => h.ledger.balance({ workspaceId: h.workspaceId, userId })),
    );
    const total = (pick: (d: DesignSnapshot) => number) => settled.reduce((sum, d) => sum + pick(d), 0);
    expect(balances.reduce((sum, b) => sum + b.held, 0)).toBe(total((d) => d.held));
    expect(balances.reduce((sum, b) => sum + 1000 - b.balance, 0)).toBe(total((d) => d.charged));

    // Coverage: each contender won some race, or the test proved less than it claims.
    expect(
      Object.values(wins).every((n) => n > 0),
      JSON.stringify(wins),
    ).toBe(true);
    console.log(
      `decision races: ${designs.length} designs in ${rounds} rounds; first to decide ${JSON.stringify(wins)}; ` +
        `withdrawn after an approval or edit ${cancelledSecond}; final states ${JSON.stringify(
          settled.reduce<Record<string, number>>(
            (acc, d) => ({ ...acc, [d.state]: (acc[d.state] ?? 0) + 1 }),
            {},
          ),
        )}`,
    );
  }, 60_000);
});
