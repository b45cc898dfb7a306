import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The lowest priority there is: work that runs only on CPU nothing else wants. */
const lowestNiceness = 19;

/**
 * Lowers this whole process to the lowest CPU priority. On Linux a priority belongs to each thread, and a
 * started process already runs V8's and libuv's threads (sharp's work runs on libuv's): each is lowered, and
 * the threads started later inherit it from the thread that starts them. Elsewhere, the process's.
 */
export function lowestPriority(): void {
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    setPriority(lowestNiceness);
    return;
  }
  for (const thread of threads) {
    try {
      setPriority(Number(thread), lowestNiceness);
    } catch {
      // A thread that ended since the listing has nothing left to lower.
    }
  }
}
