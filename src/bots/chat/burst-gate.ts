export type BurstGateOptions = {
  /** How long nothing new must arrive before a burst counts as over. */
  quietMs?: number;
  /** How long work may wait for its burst to be acknowledged; past this it goes anyway. */
  maxHoldMs?: number;
  now?: () => number;
};

type Waiter = { since: number; release: () => void };

/**
 * Holds the work that follows an acknowledgement until the burst it arrived in has been acknowledged.
 * A receiving process that also does the work (Discord's gateway) reads a burst of interactions over a
 * few turns of its event loop, at the pace the sender and the cores allow; if the first ones' work
 * (transactions, cards) starts at once, it takes the loop and the cores from the deferrals still to be
 * sent, and those are the ones Discord times out after 3 s. Work waits until everything that arrived has
 * been acknowledged and nothing new has arrived for `quietMs` (a sender held up for a few ms mid-burst is
 * still the same burst), or until it has waited `maxHoldMs`. Lone work waits `quietMs` from its arrival.
 * Timers only: the loop never spins while it waits.
 */
export class BurstGate {
  private readonly quietMs: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private lastArrivalAt = Number.NEGATIVE_INFINITY;
  private unacknowledged = 0;
  private waiting: Waiter[] = [];
  private quietTimer: NodeJS.Timeout | undefined;
  private overdueTimer: NodeJS.Timeout | undefined;

  constructor(options: BurstGateOptions = {}) {
    this.quietMs = options.quietMs ?? 20;
    this.maxHoldMs = options.maxHoldMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Something arrived that will be acknowledged: call the function returned once it has been (or once
   * it is clear it will not be; calling it again does nothing).
   */
  arrived(): () => void {
    this.lastArrivalAt = this.now();
    this.unacknowledged++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unacknowledged--;
      this.watchQuiet();
    };
  }

  /** Resolves when the burst is acknowledged (see the class), or after `maxHoldMs`. */
  afterBurst(): Promise<void> {
    return new Promise((release) => {
      this.waiting.push({ since: this.now(), release });
      this.watchQuiet();
      this.watchOverdue();
    });
  }

  /** Looks again once the quiet would be long enough; an acknowledgement still awaited looks when it ends. */
  private watchQuiet(): void {
    if (this.quietTimer !== undefined || this.waiting.length === 0 || this.unacknowledged > 0) return;
    this.quietTimer = setTimeout(
      () => {
        this.quietTimer = undefined;
        if (this.unacknowledged > 0) return;
        if (this.now() - this.lastArrivalAt >= this.quietMs) this.release(() => true);
        else this.watchQuiet();
      },
      Math.max(0, this.lastArrivalAt + this.quietMs - this.now()),
    );
  }

  private watchOverdue(): void {
    const oldest = this.waiting[0];
    if (this.overdueTimer !== undefined || oldest === undefined) return;
    this.overdueTimer = setTimeout(
      () => {
        this.overdueTimer = undefined;
        const now = this.now();
        this.release((waiter) => now - waiter.since >= this.maxHoldMs);
        this.watchOverdue();
      },
      Math.max(0, oldest.since + this.maxHoldMs - this.now()),
    );
  }

  private release(due: (waiter: Waiter) => boolean): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiting) {
      if (due(waiter)) waiter.release();
      else still.push(waiter);
    }
    this.waiting = still;
    if (still.length > 0) return;
    clearTimeout(this.quietTimer);
    clearTimeout(this.overdueTimer);
    this.quietTimer = this.overdueTimer = undefined;
  }
}
