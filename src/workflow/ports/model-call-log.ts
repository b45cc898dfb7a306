import type { ModelCall } from '../model-calls/model-call.ts';

/**
 * Where model calls are recorded. Recording never waits and never fails the caller: a design must not
 * depend on its bookkeeping.
 */
export interface ModelCallLog {
  record(call: ModelCall): void;
  /** Writes what is recorded so far (before shutdown, and in tests). */
  flush(): Promise<void>;
}
