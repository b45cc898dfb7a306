import type { Actor } from '../actor.ts';

/** Everything that can happen to a design: clicks carry the actor, job results the iteration they worked on. */
export type DesignEvent =
  | { type: 'start' }
  /** A slot under the workspace's and the requester's caps is free: a waiting design starts. */
  | { type: 'admit' }
  | { type: 'front_ready'; iteration: number }
  | { type: 'front_failed'; iteration: number }
  | { type: 'edit'; iteration: number; actor: Actor }
  | { type: 'approve'; iteration: number; actor: Actor }
  /** Picks one of this iteration's front-view candidates (1-based): approve and edits act on it. */
  | { type: 'pick'; iteration: number; candidate: number; actor: Actor }
  /** An approver turns this iteration down (with a reason the service records): the design ends. */
  | { type: 'decline'; iteration: number; actor: Actor }
  | { type: 'view_ready' }
  | { type: 'view_failed' }
  | { type: 'all_views_ready' }
  | { type: 'finalized' }
  | { type: 'finalize_failed' }
  | { type: 'cancel'; actor: Actor }
  | { type: 'retry'; actor: Actor }
  | { type: 'expire'; iteration: number }
  | { type: 'edit_view'; actor: Actor };

export type DesignEventType = DesignEvent['type'];
