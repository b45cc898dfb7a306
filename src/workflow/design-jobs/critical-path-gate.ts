/**
 * The longest a sheet (contact or spec) waits for the critical-path jobs of this process to finish,
 * counted from when it asked for its turn: under steady load the critical path is never quiet, and sheets
 * queued one after another must not each wait this long (they would pile up, each holding a job slot).
 */
export const sheetYieldMaxMs = 15_000;

/**
 * Contact and spec sheets are CPU work nobody waits on: one waits until no critical-path job is busy in this
 * process, or `sheetYieldMaxMs` at most, so a burst of designs is not slowed down by their sheets. A job
 * waiting on its model call is not busy: it spends seconds waiting on the network, and at a steady 300
 * designs a minute ~150 jobs are always in flight that way, which kept every render waiting its full
 * 15 s (bench:load drew ~6 designs' sheets a minute while designs kept coming; docs/performance.md).
 */
export class CriticalPathGate {
  /** Jobs on someone's critical path (front, view, finalize) running in this process right now. */
  private critical = 0;
  /** Model calls those jobs are waiting on right now. */
  private waitingOnModel = 0;
  private readonly quiet = new Set<() => void>();
  private yielding = true;

  /** Runs a critical-path job, counted while it runs. */
  async whileCritical(run: () => Promise<void>): Promise<void> {
    this.critical++;
    try {
      return await run();
    } finally {
      this.critical--;
      this.wakeIfQuiet();
    }
  }

  /**
   * Runs a critical-path job's model call: while it waits, the job does not count as busy. (A call made
   * outside a job, such as a feature extraction outliving the front job that started it, lets a sheet go
   * a little early: the gate only orders work, it guards nothing.)
   */
  async whileWaitingOnModel<T>(call: () => Promise<T>): Promise<T> {
    this.waitingOnModel++;
    this.wakeIfQuiet();
    try {
      return await call();
    } finally {
      this.waitingOnModel--;
    }
  }

  /** Resolves once no critical-path job is busy here, or at `deadline` (epoch ms) at the latest. */
  yieldToCriticalPath(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (!this.busy() || !this.yielding || left <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.quiet.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, left);
      this.quiet.add(wake);
    });
  }

  /** Stops sheets waiting for the critical path (shutdown: running jobs should finish now). */
  stopYielding(): void {
    this.yielding = false;
    for (const wake of [...this.quiet]) wake();
  }

  private busy(): boolean {
    return this.critical - this.waitingOnModel > 0;
  }

  private wakeIfQuiet(): void {
    if (!this.busy()) for (const wake of [...this.quiet]) wake();
  }
}
