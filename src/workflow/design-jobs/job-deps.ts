import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../storage/schema.ts';
import type { DesignEffects } from '../design-effects.ts';
import type { DesignTransitions } from '../design-transitions.ts';
import type { FeatureExtractor } from '../ports/feature-extractor.ts';
import type { ImageModel } from '../ports/image-model.ts';
import type { ImageStore } from '../ports/image-store.ts';
import type { ModelCallLog } from '../ports/model-call-log.ts';
import type { CriticalPathGate } from './critical-path-gate.ts';

/** What the design jobs work with: the database and its transitions, what follows a change, the adapters. */
export type JobDeps = {
  db: Kysely<Database>;
  transitions: DesignTransitions;
  effects: DesignEffects;
  model: ImageModel;
  extractor: FeatureExtractor;
  images: ImageStore;
  /** Every model call the jobs make is recorded here. */
  calls: ModelCallLog;
  /** Told of every model call, so that sheets may draw while critical-path jobs wait on a model. */
  criticalPath?: Pick<CriticalPathGate, 'whileWaitingOnModel'>;
  clock: Clock;
  logger: Logger;
};
