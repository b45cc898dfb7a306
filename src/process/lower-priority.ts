import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The lowest priority there is: work that runs only on CPU nothing else wants. */
const lowestNiceness = 19;

/**
 * Lowers this whole process to `niceness` (default: the lowest). On Linux a priority belongs to each
 * thread, and a started process already runs V8's and libuv's threads (sharp's work and file writes run on
 * libuv's): each is lowered, and the threads started later inherit it from the thread that starts them.
 * Elsewhere, the process's.
 */
export function lowerPriority(niceness = lowestNiceness): void {
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    setPriority(niceness);
    return;
  }
  for (const thread of threads) {
    try {
      setPriority(Number(thread), niceness);
    } catch {
      // A thread that ended since the listing has nothing left to lower.
    }
  }
}
