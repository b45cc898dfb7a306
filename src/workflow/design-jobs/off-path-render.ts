import { oneAtATime } from '../one-at-a-time.ts';
import { sheetYieldMaxMs, type CriticalPathGate } from './critical-path-gate.ts';

/** Runs one CPU-heavy render that nobody waits on. */
export type OffPathRender = <T>(render: () => Promise<T>) => Promise<T>;

/**
 * Sheets are CPU work nobody waits on: renders run one at a time in this process, and each first lets the
 * critical-path jobs running here finish (CriticalPathGate), so a burst of completions slows no view.
 * The wait counts from when the render asked for its turn, so renders queued behind each other do not
 * each wait the whole time. `render` loads what it draws only once its turn has come: a queue of sheets
 * holds no images.
 */
export function offPathRender(gate: CriticalPathGate, maxWaitMs = sheetYieldMaxMs): OffPathRender {
  const serially = oneAtATime();
  return (render) => {
    const deadline = Date.now() + maxWaitMs;
    return serially(async () => {
      await gate.yieldToCriticalPath(deadline);
      return render();
    });
  };
}
