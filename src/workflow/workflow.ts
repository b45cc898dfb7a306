import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { Database } from '../storage/schema.ts';
import { DesignAdmission } from './admission/design-admission.ts';
import type { GeneratingCaps } from './admission/choose-admissions.ts';
import { DesignEffects } from './design-effects.ts';
import { DesignJobs } from './design-jobs/design-jobs.ts';
import { reshowStaleCards, resumeUnfinishedDesigns } from './design-recovery.ts';
import { DesignService } from './design-service.ts';
import { DesignTransitions } from './design-transitions.ts';
import type { FeatureExtractor } from './ports/feature-extractor.ts';
import type { ImageModel } from './ports/image-model.ts';
import type { ImageStore } from './ports/image-store.ts';
import type { JobQueue } from './ports/job-queue.ts';
import type { Notifier } from './ports/notifier.ts';
import { AiBudgets, type BudgetCaps } from './budgets/ai-budgets.ts';
import { BatchedModelCallLog } from './model-calls/batched-model-call-log.ts';
import type { ModelCall } from './model-calls/model-call.ts';
import { defaultModelPrices, type CostEstimate, type ModelPrices } from './model-calls/model-prices.ts';

export type WorkflowDeps = {
  db: Kysely<Database>;
  ledger: CreditLedger;
  jobs: JobQueue;
  model: ImageModel;
  extractor: FeatureExtractor;
  images: ImageStore;
  notifier: Notifier;
  clock: Clock;
  holdTtlMs: number;
  logger: Logger;
  /** How often unfinished designs are re-queued while running; 0 turns it off. */
  reconcileEveryMs?: number;
  /** How many designs may generate at once per workspace and per person; no cap when left out. */
  caps?: GeneratingCaps;
  /** What model calls cost; the defaults when left out. */
  modelPrices?: ModelPrices;
  /** Each model call as it is recorded (metrics). */
  observeModelCall?: (call: ModelCall, cost: CostEstimate) => void;
  /** Caps on estimated AI spend; none when left out. */
  budgets?: BudgetCaps;
};

export type Workflow = {
  service: DesignService;
  /** Takes jobs (the worker role): resumes unfinished designs first. */
  startWorker(): Promise<void>;
  /** Re-queues every unfinished design's next step; returns how many there were. */
  reconcile(): Promise<number>;
  close(): Promise<void>;
};

/** Wires the workflow's parts around the adapters the composition root chose. */
export function createWorkflow(deps: WorkflowDeps): Workflow {
  const effects = new DesignEffects(deps);
  const admission = new DesignAdmission({
    ...deps,
    caps: deps.caps ?? { perWorkspace: Infinity, perUser: Infinity },
    async started(design) {
      await effects.enqueue({ kind: 'front', designId: design.id, iteration: design.iteration });
      effects.changedInBackground(design.id);
    },
    moved: (designId) => effects.changedInBackground(designId),
  });
  const transitions = new DesignTransitions(deps.db, deps.ledger, {
    clock: deps.clock,
    holdTtlMs: deps.holdTtlMs,
    lineMoved: (workspaceId, how) => admission.lineMoved(workspaceId, how),
  });
  const budgets = new AiBudgets({ db: deps.db, clock: deps.clock, caps: deps.budgets ?? {} });
  const service = new DesignService({ ...deps, transitions, effects, admission, budgets });
  const calls = new BatchedModelCallLog({
    db: deps.db,
    prices: deps.modelPrices ?? defaultModelPrices,
    logger: deps.logger,
    recorded: deps.observeModelCall,
    async written(lastDesignByWorkspace) {
      // The card of the design that crossed a level says so; shown again like any change.
      for (const designId of await budgets.noticeLevels(lastDesignByWorkspace))
        effects.changedInBackground(designId);
    },
  });
  const jobs = new DesignJobs({ ...deps, transitions, effects, calls });
  let timer: NodeJS.Timeout | undefined;
  const reconcile = async () => {
    const admitted = await admission.admitEverywhere();
    const resumed = await resumeUnfinishedDesigns(deps.db, effects);
    const reshown = await reshowStaleCards(deps.db, effects);
    if (reshown > 0) deps.logger.info({ reshown }, 'showing designs whose cards fell behind');
    return admitted + resumed;
  };

  return {
    service,
    reconcile,
    async startWorker() {
      await deps.jobs.process(jobs.handle);
      const resumed = await reconcile();
      if (resumed > 0) deps.logger.info({ resumed }, 'resumed unfinished designs');
      const every = deps.reconcileEveryMs ?? 60_000;
      if (every > 0) {
        timer = setInterval(() => {
          reconcile().catch((error: unknown) =>
            deps.logger.warn({ err: error }, 'reconciling designs failed'),
          );
        }, every);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      // Contact sheets waiting for the critical path run now, so the worker's running jobs can finish.
      jobs.stopYielding();
      await deps.jobs.close();
      await Promise.all([effects.flush(), calls.flush()]);
    },
  };
}
