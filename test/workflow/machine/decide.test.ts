import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/workflow/actor.ts';
import { decide, type MachineDesign } from '../../../src/workflow/machine/decide.ts';
import type { DesignEvent, DesignEventType } from '../../../src/workflow/machine/design-event.ts';
import { machineStates, type MachineState } from '../../../src/workflow/machine/design-state.ts';

const requester: Actor = { userId: 'U-req', isAdmin: false, groups: [] };
const stranger: Actor = { userId: 'U-other', isAdmin: false, groups: [] };
const admin: Actor = { userId: 'U-admin', isAdmin: true, groups: [] };

/** Each event as the allowed actor sends it for the design's current iteration. */
function currentEvent(type: DesignEventType, iteration: number, actor: Actor = requester): DesignEvent {
  switch (type) {
    case 'start':
    case 'admit':
    case 'view_ready':
    case 'view_failed':
    case 'all_views_ready':
    case 'finalized':
    case 'finalize_failed':
      return { type };
    case 'front_ready':
    case 'front_failed':
    case 'expire':
      return { type, iteration };
    case 'edit':
    case 'approve':
      return { type, iteration, actor };
    case 'pick':
      return { type, iteration, candidate: 1, actor };
    // Declining is an approver's: the table sends it as an admin (who is always one).
    case 'decline':
      return { type, iteration, actor: actor === requester ? admin : actor };
    case 'cancel':
    case 'retry':
    case 'edit_view':
      return { type, actor };
  }
}

const eventTypes: DesignEventType[] = [
  'start',
  'admit',
  'front_ready',
  'front_failed',
  'edit',
  'approve',
  'decline',
  'pick',
  'view_ready',
  'view_failed',
  'all_views_ready',
  'finalized',
  'finalize_failed',
  'cancel',
  'retry',
  'expire',
  'edit_view',
];

/** The expected outcome of every (state, event) pair: `next/credit` or a refusal reason. */
const table: Record<MachineState, Record<DesignEventType, string>> = {
  queued: {
    start: 'already_started',
    admit: 'generating_front/none',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'not_ready',
    approve: 'not_ready',
    decline: 'not_ready',
    pick: 'not_ready',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'cancelled/release',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  generating_front: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'awaiting_approval/none',
    front_failed: 'failed/release',
    edit: 'not_ready',
    approve: 'not_ready',
    decline: 'not_ready',
    pick: 'not_ready',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'cancelled/release',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  awaiting_approval: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'generating_front/extend',
    approve: 'generating_views/none',
    decline: 'declined/release',
    pick: 'awaiting_approval/none',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'cancelled/release',
    retry: 'not_failed',
    expire: 'expired/expire',
    edit_view: 'not_completed',
  },
  generating_views: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'already_approved',
    approve: 'already_approved',
    decline: 'already_approved',
    pick: 'already_approved',
    view_ready: 'generating_views/none',
    view_failed: 'failed/release',
    all_views_ready: 'finalizing/none',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'cancelled/release',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  finalizing: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'already_approved',
    approve: 'already_approved',
    decline: 'already_approved',
    pick: 'already_approved',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'completed/capture',
    finalize_failed: 'failed/release',
    cancel: 'already_approved',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  completed: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'already_approved',
    approve: 'already_approved',
    decline: 'already_approved',
    pick: 'already_approved',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'already_approved',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'generating_views/reserve',
  },
  failed: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'finished',
    approve: 'finished',
    decline: 'finished',
    pick: 'finished',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'cancelled/none',
    retry: 'generating_views/reserve',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  cancelled: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'finished',
    approve: 'finished',
    decline: 'finished',
    pick: 'finished',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'finished',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  declined: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'finished',
    approve: 'finished',
    decline: 'finished',
    pick: 'finished',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'finished',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
  expired: {
    start: 'already_started',
    admit: 'not_expected',
    front_ready: 'not_expected',
    front_failed: 'not_expected',
    edit: 'finished',
    approve: 'finished',
    decline: 'finished',
    pick: 'finished',
    view_ready: 'not_expected',
    view_failed: 'not_expected',
    all_views_ready: 'not_expected',
    finalized: 'not_expected',
    finalize_failed: 'not_expected',
    cancel: 'finished',
    retry: 'not_failed',
    expire: 'not_expected',
    edit_view: 'not_completed',
  },
};

const design = (state: MachineState, overrides: Partial<MachineDesign> = {}): MachineDesign => ({
  state,
  iteration: 2,
  requesterId: requester.userId,
  failedPhase: 'views',
  policy: { approverGroup: null, requestersApprove: null },
  candidates: 1,
  picked: null,
  ...overrides,
});

const show = (decision: ReturnType<typeof decide>) =>
  decision.ok ? `${decision.next}/${decision.credit}` : decision.reason;

describe('design state machine', () => {
  const pairs = machineStates.flatMap((state) => eventTypes.map((type) => [state, type] as const));

  it.each(pairs)('%s + %s', (state, type) => {
    expect(show(decide(design(state), currentEvent(type, 2)))).toBe(table[state][type]);
  });

  it('starts only a design that does not exist, and refuses every other event for it', () => {
    for (const type of eventTypes) {
      const decision = decide(null, currentEvent(type, 1));
      expect(show(decision)).toBe(type === 'start' ? 'queued/reserve' : 'not_found');
      if (decision.ok) expect(decision.iteration).toBe(1);
    }
  });

  it('moves to the next iteration on an edit and keeps it otherwise', () => {
    for (const state of machineStates) {
      for (const type of eventTypes) {
        const decision = decide(design(state), currentEvent(type, 2));
        if (decision.ok) expect(decision.iteration).toBe(type === 'edit' ? 3 : 2);
      }
    }
  });

  it('refuses a button of an older iteration wherever it could otherwise act', () => {
    for (const type of [
      'edit',
      'approve',
      'decline',
      'pick',
      'front_ready',
      'front_failed',
      'expire',
    ] as const) {
      for (const state of ['queued', 'generating_front', 'awaiting_approval'] as const) {
        const current = decide(design(state), currentEvent(type, 2));
        const stale = decide(design(state), currentEvent(type, 1));
        if (current.ok) expect(show(stale)).toBe('stale_iteration');
      }
    }
    expect(show(decide(design('generating_front'), currentEvent('approve', 1)))).toBe('stale_iteration');
  });

  it('never lets someone who is not allowed change anything', () => {
    for (const state of machineStates) {
      for (const type of ['edit', 'approve', 'decline', 'pick', 'cancel', 'retry', 'edit_view'] as const) {
        const decision = decide(design(state), currentEvent(type, 2, stranger));
        expect(decision.ok, `${state} + ${type}`).toBe(false);
      }
    }
    expect(show(decide(design('awaiting_approval'), currentEvent('approve', 2, stranger)))).toBe(
      'not_allowed',
    );
  });

  it('gives approval to the approver group when the workspace has one, and admins always', () => {
    const policy = { approverGroup: 'S-managers', requestersApprove: null };
    const manager: Actor = { userId: 'U-m', isAdmin: false, groups: ['S-managers'] };
    const awaiting = design('awaiting_approval', { policy });
    expect(show(decide(awaiting, currentEvent('approve', 2, requester)))).toBe('not_allowed');
    expect(show(decide(awaiting, currentEvent('approve', 2, manager)))).toBe('generating_views/none');
    expect(show(decide(awaiting, currentEvent('approve', 2, admin)))).toBe('generating_views/none');
    // Managers may ask for changes but not cancel someone else's design; admins may.
    expect(show(decide(awaiting, currentEvent('edit', 2, manager)))).toBe('generating_front/extend');
    expect(show(decide(awaiting, currentEvent('cancel', 2, manager)))).toBe('not_allowed');
    expect(show(decide(awaiting, currentEvent('cancel', 2, admin)))).toBe('cancelled/release');
    // Managers and admins decline; the requester cancels instead.
    expect(show(decide(awaiting, currentEvent('decline', 2, manager)))).toBe('declined/release');
    expect(show(decide(awaiting, { type: 'decline', iteration: 2, actor: requester }))).toBe('not_allowed');
  });

  it('lets requesters approve their own designs only where the policy says so', () => {
    const manager: Actor = { userId: 'U-req', isAdmin: false, groups: ['S-managers'] };
    const approve = (policy: MachineDesign['policy'], actor: Actor) =>
      show(decide(design('awaiting_approval', { policy }), currentEvent('approve', 2, actor)));
    // Without a group the requester approves unless the workspace says no (then only admins do).
    expect(approve({ approverGroup: null, requestersApprove: null }, requester)).toBe(
      'generating_views/none',
    );
    expect(approve({ approverGroup: null, requestersApprove: false }, requester)).toBe('not_allowed');
    expect(approve({ approverGroup: null, requestersApprove: false }, admin)).toBe('generating_views/none');
    // With a group, a requester who is also an approver may not approve their own design by default.
    expect(approve({ approverGroup: 'S-managers', requestersApprove: null }, manager)).toBe('not_allowed');
    expect(approve({ approverGroup: 'S-managers', requestersApprove: true }, requester)).toBe(
      'generating_views/none',
    );
  });

  it('resumes a failed design at the phase that failed', () => {
    const resume = (failedPhase: MachineDesign['failedPhase']) =>
      show(decide(design('failed', { failedPhase }), currentEvent('retry', 2)));
    expect(resume('front')).toBe('generating_front/reserve');
    expect(resume(null)).toBe('generating_front/reserve');
    expect(resume('views')).toBe('generating_views/reserve');
    expect(resume('finalize')).toBe('finalizing/reserve');
  });

  describe('with several front-view candidates', () => {
    const four = (picked: number | null, overrides: Partial<MachineDesign> = {}) =>
      design('awaiting_approval', { candidates: 4, picked, ...overrides });
    const pick = (candidate: number, iteration = 2, actor: Actor = requester): DesignEvent => ({
      type: 'pick',
      iteration,
      candidate,
      actor,
    });

    it("picks any of this iteration's candidates, again and again, and changes nothing else", () => {
      for (const candidate of [1, 2, 3, 4]) {
        const decision = decide(four(null), pick(candidate));
        expect(show(decision)).toBe('awaiting_approval/none');
        if (decision.ok) expect(decision.iteration).toBe(2);
      }
      expect(show(decide(four(3), pick(1)))).toBe('awaiting_approval/none');
    });

    it("refuses a candidate the design does not have, and an older iteration's", () => {
      expect(show(decide(four(null), pick(5)))).toBe('no_such_candidate');
      expect(show(decide(four(null), pick(0)))).toBe('no_such_candidate');
      expect(show(decide(design('awaiting_approval'), pick(2)))).toBe('no_such_candidate');
      expect(show(decide(four(null), pick(2, 1)))).toBe('stale_iteration');
      expect(show(decide(four(null, { state: 'generating_front' }), pick(2)))).toBe('not_ready');
      expect(show(decide(four(null, { state: 'generating_views' }), pick(2)))).toBe('already_approved');
    });

    it('lets the requester, approvers and admins pick, nobody else', () => {
      const policy = { approverGroup: 'S-managers', requestersApprove: null };
      const manager: Actor = { userId: 'U-m', isAdmin: false, groups: ['S-managers'] };
      const guarded = four(null, { policy });
      expect(show(decide(guarded, pick(2, 2, requester)))).toBe('awaiting_approval/none');
      expect(show(decide(guarded, pick(2, 2, manager)))).toBe('awaiting_approval/none');
      expect(show(decide(guarded, pick(2, 2, admin)))).toBe('awaiting_approval/none');
      expect(show(decide(guarded, pick(2, 2, stranger)))).toBe('not_allowed');
    });

    it('approves and edits only once a candidate is picked; declining and cancelling need none', () => {
      expect(show(decide(four(null), currentEvent('approve', 2)))).toBe('pick_first');
      expect(show(decide(four(null), currentEvent('edit', 2)))).toBe('pick_first');
      expect(show(decide(four(null), currentEvent('decline', 2)))).toBe('declined/release');
      expect(show(decide(four(null), currentEvent('cancel', 2)))).toBe('cancelled/release');
      expect(show(decide(four(2), currentEvent('approve', 2)))).toBe('generating_views/none');
      expect(show(decide(four(2), currentEvent('edit', 2)))).toBe('generating_front/extend');
      // Who may act is told before "pick first": a stranger learns nothing about the design.
      expect(show(decide(four(null), currentEvent('approve', 2, stranger)))).toBe('not_allowed');
    });
  });
});
