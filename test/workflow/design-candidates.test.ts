import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../src/credits/invariants.ts';
import { updateWorkspaceSettings } from '../../src/storage/workspaces.ts';
import { imageKeys } from '../../src/workflow/design-jobs/image-keys.ts';
import type { DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import type { WorkflowOutcome } from '../../src/workflow/workflow-outcome.ts';
import type { FakeGeminiRequest } from '../fakes/fake-gemini-server.ts';
import { actor, createHarness, inState, waitFor, type Harness } from './workflow-harness.ts';

const sha = (png: Buffer) => createHash('sha256').update(png).digest('hex');

function designOf(outcome: WorkflowOutcome): DesignSnapshot {
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify({ ...outcome, design: undefined })}`);
  return outcome.design;
}

const candidateOf = (request: FakeGeminiRequest) =>
  /This is candidate (\d) of (\d)/.exec(request.texts.join(' '))?.slice(1).map(Number);

/** Issue 19: several front-view candidates per round, drawn at once, one picked. */
describe('front-view candidates (Gemini SDK against the loopback fake, Postgres, in-process jobs)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('candidates', { starterCredits: 30 });
  });
  afterAll(async () => {
    expect((await auditLedger(h.test.db)).violations).toEqual([]);
    await h.close();
  });

  const balance = (userId: string) => h.ledger.balance({ workspaceId: h.workspaceId, userId });
  const start = (userId: string, candidates?: number) =>
    h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor(userId),
      prompt: 'a desk lamp with a brass arm',
      candidates,
    });
  const holdsOf = (designId: string) =>
    h.test.db
      .selectFrom('credit_holds')
      .select(['amount', 'status'])
      .where('subject', 'like', `design:${designId}:%`)
      .execute();
  const requestsSince = (from: number) => h.gemini.requests.slice(from);

  it('draws four candidates with four model calls at once, holding 3 + 3 credits from the start', async () => {
    const from = h.gemini.requests.length;
    // Each candidate's answer waits until all four calls have arrived: drawn one after another they
    // would each wait the full second, and the overlap check below fails.
    let arrived = 0;
    let allIn: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (allIn = resolve));
    h.gemini.setLatency((request) => {
      if (!candidateOf(request)) return 0;
      arrived += 1;
      if (arrived === 4) allIn();
      return Promise.race([together, new Promise<void>((resolve) => setTimeout(resolve, 1_000))]);
    });
    const started = designOf(await start('U-four', 4));
    expect(started.candidates).toBe(4);
    expect(started.held).toBe(6);
    expect(await balance('U-four')).toEqual({ balance: 30, held: 6, available: 24 });

    const awaiting = await waitFor(h.workflow, started.id, inState('awaiting_approval'));
    h.gemini.setLatency(0);
    const calls = requestsSince(from);
    expect(calls.map(candidateOf).sort()).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    // Overlapped in time: every call arrived before the first one was answered (the gate above).
    expect(arrived).toBe(4);
    expect(h.gemini.stats().maxInFlight).toBeGreaterThanOrEqual(4);
    const first = awaiting.iterations[0]!;
    expect(first.candidates.map((c) => c.imageKey)).toEqual(
      [1, 2, 3, 4].map((n) => imageKeys.frontCandidate(started.id, 1, n)),
    );
    expect(first.picked).toBeNull();
    expect(first.imageKey).toBeNull();
    const images = await Promise.all(first.candidates.map((c) => h.images.get(c.imageKey)));
    expect(new Set(images.map(sha)).size).toBe(4);
    expect(await holdsOf(started.id)).toEqual([{ amount: 6, status: 'active' }]);
  });

  it('refuses approve and edits until a candidate is picked, then acts on the picked one; the views draw from it', async () => {
    const started = designOf(await start('U-pick', 4));
    const first = await waitFor(h.workflow, started.id, inState('awaiting_approval'));
    const refusedApprove = await h.workflow.service.approve({
      designId: started.id,
      actor: actor('U-pick'),
      iteration: 1,
    });
    expect(refusedApprove).toMatchObject({ ok: false, reason: 'pick_first' });
    const refusedEdit = await h.workflow.service.edit({
      designId: started.id,
      actor: actor('U-pick'),
      iteration: 1,
      edit: { preset: 'minimal' },
    });
    expect(refusedEdit).toMatchObject({ ok: false, reason: 'pick_first' });
    // A stranger may not pick.
    const strangers = await h.workflow.service.pick({
      designId: started.id,
      actor: actor('U-stranger'),
      iteration: 1,
      candidate: 2,
    });
    expect(strangers).toMatchObject({ ok: false, reason: 'not_allowed' });

    // Picked 3, then changed to 2: the iteration's front view is candidate 2.
    designOf(
      await h.workflow.service.pick({
        designId: started.id,
        actor: actor('U-pick'),
        iteration: 1,
        candidate: 3,
      }),
    );
    const picked = designOf(
      await h.workflow.service.pick({
        designId: started.id,
        actor: actor('U-pick'),
        iteration: 1,
        candidate: 2,
      }),
    );
    expect(picked.state).toBe('awaiting_approval');
    expect(picked.iterations[0]!.picked).toBe(2);
    expect(picked.iterations[0]!.imageKey).toBe(first.iterations[0]!.candidates[1]!.imageKey);
    const pickedPng = await h.images.get(first.iterations[0]!.candidates[1]!.imageKey);

    // An edit of the picked one: four new candidates, each drawn from candidate 2, held at 4 edits more.
    const from = h.gemini.requests.length;
    const edited = designOf(
      await h.workflow.service.edit({
        designId: started.id,
        actor: actor('U-pick'),
        iteration: 1,
        edit: { preset: 'minimal' },
      }),
    );
    expect(edited.held).toBe(3 + 3 + 4);
    const second = await waitFor(h.workflow, started.id, inState('awaiting_approval'));
    const editCalls = requestsSince(from);
    expect(editCalls).toHaveLength(4);
    for (const call of editCalls) expect(call.images.map((image) => image.sha256)).toEqual([sha(pickedPng)]);

    // A pick from the first iteration's card is refused politely, and changes nothing.
    const stale = await h.workflow.service.pick({
      designId: started.id,
      actor: actor('U-pick'),
      iteration: 1,
      candidate: 1,
    });
    expect(stale).toMatchObject({ ok: false, reason: 'stale_iteration' });
    expect((await h.workflow.service.snapshot(started.id))!.iterations[1]!.picked).toBeNull();

    designOf(
      await h.workflow.service.pick({
        designId: started.id,
        actor: actor('U-pick'),
        iteration: 2,
        candidate: 4,
      }),
    );
    const viewsFrom = h.gemini.requests.length;
    designOf(
      await h.workflow.service.approve({ designId: started.id, actor: actor('U-pick'), iteration: 2 }),
    );
    const done = await waitFor(h.workflow, started.id, inState('completed'));
    const chosenKey = second.iterations[1]!.candidates[3]!.imageKey;
    expect(chosenKey).toBe(imageKeys.frontCandidate(started.id, 2, 4));
    expect(done.views.find((v) => v.view === 'front')!.imageKey).toBe(chosenKey);
    expect(done.revision!.imageKeys.front).toBe(chosenKey);
    const chosenSha = sha(await h.images.get(chosenKey));
    const viewCalls = requestsSince(viewsFrom);
    expect(viewCalls).toHaveLength(4);
    for (const call of viewCalls) expect(call.images[0]!.sha256).toBe(chosenSha);
    // Captured exactly what was held: 3 + 3 extra candidates + 4 for the edit round.
    expect(done.charged).toBe(10);
    expect(await holdsOf(started.id)).toEqual([{ amount: 10, status: 'captured' }]);
    expect(await balance('U-pick')).toEqual({ balance: 20, held: 0, available: 20 });
  });

  it('draws each candidate once when the job runs again after one of them failed', async () => {
    h.gemini.scriptFor((text) => text.includes('This is candidate 2 of 3'), { kind: 'status', status: 503 });
    const from = h.gemini.requests.length;
    const started = designOf(await start('U-retry', 3));
    const awaiting = await waitFor(h.workflow, started.id, inState('awaiting_approval'));
    const drawn = requestsSince(from).map((request) => candidateOf(request)![0]);
    expect(drawn.sort()).toEqual([1, 2, 2, 3]);
    expect(awaiting.iterations[0]!.candidates.map((c) => c.candidate)).toEqual([1, 2, 3]);
    expect(awaiting.held).toBe(5);
  });

  it('returns everything a cancelled design held, and draws one front view by default', async () => {
    const started = designOf(await start('U-cancel', 3));
    expect(await balance('U-cancel')).toEqual({ balance: 30, held: 5, available: 25 });
    await waitFor(h.workflow, started.id, inState('awaiting_approval'));
    designOf(await h.workflow.service.cancel({ designId: started.id, actor: actor('U-cancel') }));
    expect(await balance('U-cancel')).toEqual({ balance: 30, held: 0, available: 30 });
    expect(await holdsOf(started.id)).toEqual([{ amount: 5, status: 'released' }]);

    const from = h.gemini.requests.length;
    const single = designOf(await start('U-cancel'));
    expect(single.candidates).toBe(1);
    expect(single.held).toBe(3);
    const one = await waitFor(h.workflow, single.id, inState('awaiting_approval'));
    expect(requestsSince(from)).toHaveLength(1);
    expect(candidateOf(requestsSince(from)[0]!)).toBeUndefined();
    expect(one.iterations[0]).toMatchObject({ picked: 1, imageKey: imageKeys.front(single.id, 1) });
  });

  it('takes the workspace default, and refuses more than its maximum without reserving anything', async () => {
    const settings = {
      approverGroup: null,
      requestersApprove: null,
      approvalNotices: 'thread' as const,
      prices: { design: 3, variation: 2, edit: 1 },
      monthlyBudgetCents: null,
    };
    await updateWorkspaceSettings(
      h.test.db,
      h.workspaceId,
      { ...settings, candidates: { default: 2, max: 2 } },
      'U-admin',
    );
    const refused = await start('U-limit', 3);
    expect(refused).toEqual({ ok: false, reason: 'too_many_candidates', max: 2 });
    expect(await balance('U-limit')).toEqual({ balance: 30, held: 0, available: 30 });
    const byDefault = designOf(await start('U-limit'));
    expect(byDefault.candidates).toBe(2);
    expect(byDefault.held).toBe(4);
    await waitFor(h.workflow, byDefault.id, inState('awaiting_approval'));
    designOf(await h.workflow.service.cancel({ designId: byDefault.id, actor: actor('U-limit') }));
    await updateWorkspaceSettings(
      h.test.db,
      h.workspaceId,
      { ...settings, candidates: { default: 1, max: 4 } },
      'U-admin',
    );
  });
});
