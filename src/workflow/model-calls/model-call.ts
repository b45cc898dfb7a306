import type { ModelCallOutcome, ModelCallPurpose } from '../../storage/schema.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import type { TokenUsage } from '../ports/model-usage.ts';

export type { ModelCallOutcome, ModelCallPurpose };

/** One call to an image or vision model, as the job that made it saw it. */
export type ModelCall = {
  /** 'gemini', 'openai', 'offline'. */
  provider: string;
  /** As the answer names it, else as configured. */
  model: string;
  purpose: ModelCallPurpose;
  outcome: ModelCallOutcome;
  designId: string;
  workspaceId: string;
  requesterId: string;
  startedAt: Date;
  latencyMs: number;
  usage: TokenUsage | undefined;
  images: number;
};

/** How a failed call is counted: what the model refused or left out, and whether a retry may help. */
export function outcomeOf(error: unknown): ModelCallOutcome {
  if (error instanceof TransientError) return 'transient_error';
  if (error instanceof PermanentError) {
    if (error.kind === 'blocked') return 'blocked';
    if (error.kind === 'no_image') return 'no_image';
  }
  return 'permanent_error';
}
