import { oneAtATime } from '../one-at-a-time.ts';
import type { CriticalPathGate } from './critical-path-gate.ts';

/** Runs one CPU-heavy render that nobody waits on. */
export type OffPathRender = <T>(render: () => Promise<T>) => Promise<T>;

/**
 * Sheets are CPU work nobody waits on: renders run one at a time in this process, and each first lets the
 * critical-path jobs running here finish (CriticalPathGate), so a burst of completions slows no view.
 */
export function offPathRender(gate: CriticalPathGate): OffPathRender {
  const serially = oneAtATime();
  return (render) =>
    serially(async () => {
      await gate.yieldToCriticalPath();
      return render();
    });
}
