import { mayAct, type Actor, type ApprovalPolicy, type Permission } from '../actor.ts';
import type { DesignEvent } from './design-event.ts';
import type { FailedPhase, MachineState } from './design-state.ts';

export type MachineDesign = {
  state: MachineState;
  iteration: number;
  requesterId: string;
  failedPhase: FailedPhase | null;
  policy: ApprovalPolicy;
  /** Front-view candidates drawn per round (1-4). */
  candidates: number;
  /** The candidate picked in the current iteration; null before a pick (always set when N is 1). */
  picked: number | null;
};

/** The credit operation that commits together with the transition. */
export type CreditEffect = 'reserve' | 'extend' | 'capture' | 'release' | 'expire' | 'none';

export type RefusalReason =
  | 'not_found'
  | 'already_started'
  | 'not_allowed'
  | 'stale_iteration'
  | 'not_ready'
  | 'already_approved'
  | 'finished'
  | 'not_failed'
  | 'not_completed'
  | 'not_expected'
  /** Several candidates and none picked: approving or editing needs to know which one. */
  | 'pick_first'
  /** A pick of a candidate this design does not have (a forged id). */
  | 'no_such_candidate';

export type Decision =
  | { ok: true; next: MachineState; iteration: number; credit: CreditEffect }
  | { ok: false; reason: RefusalReason };

const refuse = (reason: RefusalReason): Decision => ({ ok: false, reason });
const go = (next: MachineState, iteration: number, credit: CreditEffect): Decision => ({
  ok: true,
  next,
  iteration,
  credit,
});

/**
 * The whole lifecycle in one pure function: given the design as stored (null before it exists) and an
 * event, the next state with its credit operation, or why the event is refused. The service applies a
 * decision as a compare-and-set on (state, iteration), so a decision made on a stale read cannot win.
 */
export function decide(design: MachineDesign | null, event: DesignEvent): Decision {
  if (event.type === 'start') return design ? refuse('already_started') : go('queued', 1, 'reserve');
  if (!design) return refuse('not_found');
  const { state, iteration } = design;
  const allowed = (permission: Permission, actor: Actor) =>
    mayAct(permission, actor, design.requesterId, design.policy);

  switch (event.type) {
    case 'admit':
      return state === 'queued' ? go('generating_front', iteration, 'none') : refuse('not_expected');

    case 'front_ready':
    case 'front_failed':
      if (state !== 'generating_front') return refuse('not_expected');
      if (event.iteration !== iteration) return refuse('stale_iteration');
      return event.type === 'front_ready'
        ? go('awaiting_approval', iteration, 'none')
        : go('failed', iteration, 'release');

    case 'approve':
    case 'decline':
    case 'edit':
    case 'pick': {
      if (state === 'generating_views' || state === 'finalizing' || state === 'completed')
        return refuse('already_approved');
      if (state !== 'queued' && state !== 'generating_front' && state !== 'awaiting_approval')
        return refuse('finished');
      if (!allowed(event.type, event.actor)) return refuse('not_allowed');
      if (event.iteration !== iteration) return refuse('stale_iteration');
      if (state !== 'awaiting_approval') return refuse('not_ready');
      if (event.type === 'pick')
        return event.candidate >= 1 && event.candidate <= design.candidates
          ? go('awaiting_approval', iteration, 'none')
          : refuse('no_such_candidate');
      // Approve and the edits act on the picked candidate: with several, someone has to pick first.
      if (event.type !== 'decline' && design.candidates > 1 && design.picked === null)
        return refuse('pick_first');
      if (event.type === 'approve') return go('generating_views', iteration, 'none');
      if (event.type === 'decline') return go('declined', iteration, 'release');
      return go('generating_front', iteration + 1, 'extend');
    }

    case 'view_ready':
      return state === 'generating_views'
        ? go('generating_views', iteration, 'none')
        : refuse('not_expected');
    case 'view_failed':
      return state === 'generating_views' ? go('failed', iteration, 'release') : refuse('not_expected');
    case 'all_views_ready':
      return state === 'generating_views' ? go('finalizing', iteration, 'none') : refuse('not_expected');
    case 'finalized':
      return state === 'finalizing' ? go('completed', iteration, 'capture') : refuse('not_expected');
    case 'finalize_failed':
      return state === 'finalizing' ? go('failed', iteration, 'release') : refuse('not_expected');

    case 'cancel':
      if (state === 'finalizing' || state === 'completed') return refuse('already_approved');
      if (state === 'cancelled' || state === 'expired' || state === 'declined') return refuse('finished');
      if (!allowed('cancel', event.actor)) return refuse('not_allowed');
      // A failed design's hold was released when it failed: cancelling it only ends it.
      return go('cancelled', iteration, state === 'failed' ? 'none' : 'release');

    case 'retry':
      if (state !== 'failed') return refuse('not_failed');
      if (!allowed('retry', event.actor)) return refuse('not_allowed');
      return go(resumeStateAfter(design.failedPhase), iteration, 'reserve');

    case 'expire':
      if (state !== 'awaiting_approval') return refuse('not_expected');
      if (event.iteration !== iteration) return refuse('stale_iteration');
      return go('expired', iteration, 'expire');

    case 'edit_view':
      if (state !== 'completed') return refuse('not_completed');
      if (!allowed('edit_view', event.actor)) return refuse('not_allowed');
      return go('generating_views', iteration, 'reserve');
  }
}

function resumeStateAfter(phase: FailedPhase | null): MachineState {
  switch (phase) {
    case 'views':
      return 'generating_views';
    case 'finalize':
      return 'finalizing';
    case 'front':
    case null:
      return 'generating_front';
  }
}
