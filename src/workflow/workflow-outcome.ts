import type { RefusalReason } from './machine/decide.ts';
import type { DesignSnapshot } from './design-snapshot.ts';

/** Why a request changed nothing, as a value each platform renders in its own words. */
export type WorkflowRefusal =
  | { reason: Exclude<RefusalReason, 'not_expected'> }
  | { reason: 'insufficient_credits'; cost: number; available: number }
  | { reason: 'empty_prompt' }
  | { reason: 'prompt_too_long'; max: number }
  | { reason: 'empty_feedback' }
  | { reason: 'feedback_too_long'; max: number }
  /** A decline says why: the requester is told the reason. */
  | { reason: 'empty_decline_reason' }
  | { reason: 'unknown_preset' }
  | { reason: 'no_front_view' }
  /** The request key was used before for another request (another prompt or kind): nothing started. */
  | { reason: 'request_reused' }
  /** More front-view candidates than the workspace allows (its maximum, 1-4). Nothing started. */
  | { reason: 'too_many_candidates'; max: number }
  /** Estimated AI spend reached a cap: the workspace's month, or the operator's day. Nothing started. */
  | { reason: 'over_budget'; scope: 'workspace' | 'operator' };

export type WorkflowOutcome =
  | { ok: true; design: DesignSnapshot; replayed?: boolean }
  | ({ ok: false; design?: DesignSnapshot | undefined } & WorkflowRefusal);
