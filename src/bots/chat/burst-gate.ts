export type BurstGateOptions = {
  /** How long nothing new must arrive before a burst counts as over. */
  quietMs?: number;
  /** How long work may wait for its burst to be answered; past this it goes anyway. */
  maxWaitMs?: number;
  /**
   * How long an arrival counts as unanswered at most: the platform's window for a first response
   * (Discord's 3 s). One that hangs past it can no longer be helped by waiting, and must not make every
   * later piece of work wait `maxWaitMs`.
   */
  answerWindowMs?: number;
  now?: () => number;
};

type Waiter = { since: number; release: () => void };

/**
 * Holds the work that follows a first response until the burst it arrived in has been answered. A
 * receiving process that also does the work (Discord's gateway) reads a burst of interactions over a few
 * turns of its event loop, at the pace the sender and the cores allow; if the first ones' work
 * (transactions, cards) starts at once, it takes the loop and the cores from the first responses still
 * to be sent, and those are the ones the platform times out after 3 s. Work waits until every arrival has
 * been answered (or given up on) and nothing new has arrived for `quietMs` (a sender held up for a few ms
 * mid-burst is still the same burst), or until it has waited `maxWaitMs`. Lone work waits `quietMs` from
 * its arrival. Timers only: the loop never spins while it waits. Once released, the design service the
 * platforms get (`afterWaitingRequests`) still starts the changes one per turn of the loop.
 */
export class BurstGate {
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly answerWindowMs: number;
  private readonly now: () => number;
  private lastArrivalAt = Number.NEGATIVE_INFINITY;
  private unanswered = 0;
  private waiting: Waiter[] = [];
  private quietTimer: NodeJS.Timeout | undefined;
  private overdueTimer: NodeJS.Timeout | undefined;

  constructor(options: BurstGateOptions = {}) {
    this.quietMs = options.quietMs ?? 20;
    this.maxWaitMs = options.maxWaitMs ?? 250;
    this.answerWindowMs = options.answerWindowMs ?? 3_000;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Something arrived that will get a first response: call the function returned once it has been
   * sent or given up on (calling it again does nothing; after `answerWindowMs` it counts as called).
   */
  arrived(): () => void {
    this.lastArrivalAt = this.now();
    this.unanswered++;
    let done = false;
    const answered = () => {
      if (done) return;
      done = true;
      clearTimeout(expiry);
      this.unanswered--;
      this.watchQuiet();
    };
    const expiry = setTimeout(answered, this.answerWindowMs);
    expiry.unref();
    return answered;
  }

  /** Resolves when the burst is answered (see the class), or after `maxWaitMs`. */
  afterBurst(): Promise<void> {
    return new Promise((release) => {
      this.waiting.push({ since: this.now(), release });
      this.watchQuiet();
      this.watchOverdue();
    });
  }

  /** Lets all waiting work go now (the process is stopping: work already answered is done first). */
  releaseAll(): void {
    this.release(() => true);
  }

  /** Looks again once the quiet would be long enough; an arrival still unanswered looks when answered. */
  private watchQuiet(): void {
    if (this.quietTimer !== undefined || this.waiting.length === 0 || this.unanswered > 0) return;
    this.quietTimer = setTimeout(
      () => {
        this.quietTimer = undefined;
        if (this.unanswered > 0) return;
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
        this.release((waiter) => now - waiter.since >= this.maxWaitMs);
        this.watchOverdue();
      },
      Math.max(0, oldest.since + this.maxWaitMs - this.now()),
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
