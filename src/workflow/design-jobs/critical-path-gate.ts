/**
 * The longest a sheet (contact or spec) waits for the critical-path jobs of this process to finish,
 * counted from when it asked for its turn: under steady load the critical path is never quiet, and sheets
 * queued one after another must not each wait this long (they would pile up, each holding a job slot).
 */
export const sheetYieldMaxMs = 15_000;

/**
 * Contact and spec sheets are CPU work nobody waits on: one waits until no critical-path job is running in this
 * process, or `sheetYieldMaxMs` at most, so a burst of designs is not slowed down by their sheets.
 */
export class CriticalPathGate {
  /** Jobs on someone's critical path (front, view, finalize) running in this process right now. */
  private critical = 0;
  private readonly quiet = new Set<() => void>();
  private yielding = true;

  /** Runs a critical-path job, counted while it runs. */
  async whileCritical(run: () => Promise<void>): Promise<void> {
    this.critical++;
    try {
      return await run();
    } finally {
      this.critical--;
      if (this.critical === 0) for (const wake of [...this.quiet]) wake();
    }
  }

  /** Resolves once no critical-path job runs here, or at `deadline` (epoch ms) at the latest. */
  yieldToCriticalPath(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (this.critical === 0 || !this.yielding || left <= 0) return Promise.resolve();
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
}
