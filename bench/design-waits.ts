/*
 * When each bench design reached each state, as the notifier saw it, and waits on those moments
 * (bench/workflow.ts, bench/load.ts). Changes made in another process (the job workers of
 * bench/workers.ts) arrive as DesignChange events stamped on the shared wall clock.
 */
import type { DesignSnapshot } from '../src/workflow/design-snapshot.ts';
import type { Notifier } from '../src/workflow/ports/notifier.ts';

export type State = DesignSnapshot['state'];
export const terminalStates: State[] = ['completed', 'failed', 'cancelled', 'expired'];

/** What the waits need of a snapshot; `at` is performance.timeOrigin + performance.now() when it was seen. */
export type DesignChange = {
  id: string;
  state: State;
  iteration: number;
  contactSheet: boolean;
  at: number;
};

export function changeOf(design: DesignSnapshot): DesignChange {
  return {
    id: design.id,
    state: design.state,
    iteration: design.iteration,
    contactSheet: Boolean(design.revision?.contactSheetKey),
    at: performance.timeOrigin + performance.now(),
  };
}

type Waiter = { states: State[]; iteration: number; resolve: (seen: { at: number; state: State }) => void };

/**
 * Resolves waiters as soon as a design reaches a state (at an iteration, or any); remembers when each
 * (state, iteration) was first seen, on this process's performance.now().
 */
export class WaitingNotifier implements Notifier {
  private readonly seen = new Map<string, Map<string, number>>();
  /** When each design's contact sheet was first shown (it follows completion). */
  readonly sheetAt = new Map<string, number>();
  /** When each design was first shown at all (its card). */
  readonly firstSeenAt = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly timeoutMs: number) {}

  notify(design: DesignSnapshot): Promise<void> {
    this.record(changeOf(design));
    return Promise.resolve();
  }

  /** A change seen elsewhere (another process), stamped on the shared wall clock. */
  record(change: DesignChange): void {
    const now = change.at - performance.timeOrigin;
    let states = this.seen.get(change.id);
    if (!states) this.seen.set(change.id, (states = new Map<string, number>()));
    if (!this.firstSeenAt.has(change.id)) this.firstSeenAt.set(change.id, now);
    for (const key of [change.state, `${change.state}:${change.iteration}`])
      if (!states.has(key)) states.set(key, now);
    if (change.contactSheet && !this.sheetAt.has(change.id)) this.sheetAt.set(change.id, now);
    const waiting = this.waiters.get(change.id);
    if (!waiting) return;
    const left = waiting.filter((waiter) => {
      const found = this.find(change.id, waiter.states, waiter.iteration);
      if (!found) return true;
      waiter.resolve(found);
      return false;
    });
    if (left.length > 0) this.waiters.set(change.id, left);
    else this.waiters.delete(change.id);
  }

  /** Forgets a settled design (a long bench must not keep every design's moments). */
  forget(designId: string): void {
    this.seen.delete(designId);
    this.sheetAt.delete(designId);
    this.firstSeenAt.delete(designId);
  }

  private find(designId: string, states: State[], iteration: number) {
    const seen = this.seen.get(designId);
    for (const state of states) {
      // A terminal state ends every iteration.
      const key = iteration > 0 && !terminalStates.includes(state) ? `${state}:${iteration}` : state;
      const at = seen?.get(key);
      if (at !== undefined) return { at, state };
    }
    return undefined;
  }

  /**
   * When the design was first seen in one of `states` (at `iteration`, or at any when 0), now or later;
   * rejects after the timeout.
   */
  waitFor(designId: string, states: State[], iteration = 0): Promise<{ at: number; state: State }> {
    const found = this.find(designId, states, iteration);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`design ${designId} did not reach ${states.join('/')}`)),
        this.timeoutMs,
      );
      const list = this.waiters.get(designId) ?? [];
      list.push({
        states,
        iteration,
        resolve: (seen) => {
          clearTimeout(timer);
          resolve(seen);
        },
      });
      this.waiters.set(designId, list);
    });
  }
}
