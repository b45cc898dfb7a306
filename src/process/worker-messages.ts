import type { Config } from '../config.ts';
import type { DesignSnapshot } from '../workflow/design-snapshot.ts';
import type { ModelCall } from '../workflow/model-calls/model-call.ts';
import type { CostEstimate } from '../workflow/model-calls/model-prices.ts';

/** The receiving process to its job-worker process (over the IPC channel, structured-clone serialised). */
export type ToWorkerProcess =
  | {
      type: 'start';
      config: Config;
      /** Whether every design change the workers publish is to be sent back (`design` messages). */
      forwardChanges: boolean;
    }
  | { type: 'close' };

/** The job-worker process to the receiving one. */
export type FromWorkerProcess =
  | { type: 'ready' }
  /** A change the workers published: the receiving process shows it where only it can (the playground). */
  | { type: 'design'; design: DesignSnapshot }
  /** A model call the workers made: counted on the receiving process's /metrics. */
  | { type: 'model_call'; call: ModelCall; cost: CostEstimate }
  | { type: 'failed'; message: string };
