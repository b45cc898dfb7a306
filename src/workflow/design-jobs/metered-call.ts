import { performance } from 'node:perf_hooks';
import type { DesignRow } from '../design-transitions.ts';
import { outcomeOf, type ModelCallPurpose } from '../model-calls/model-call.ts';
import type { TokenUsage } from '../ports/model-usage.ts';
import type { JobDeps } from './job-deps.ts';

type Answer = { model: string; usage?: TokenUsage | undefined };

/**
 * Runs one model call and records it (provider, model, purpose, latency, outcome, usage) whatever
 * happens; the answer or the error passes through unchanged.
 */
export async function meteredCall<T extends Answer>(
  deps: Pick<JobDeps, 'calls' | 'clock' | 'criticalPath'>,
  call: {
    provider: string;
    model: string;
    purpose: ModelCallPurpose;
    design: Pick<DesignRow, 'id' | 'workspace_id' | 'requester_id'>;
    images: (answer: T) => number;
  },
  run: () => Promise<T>,
): Promise<T> {
  const startedAt = deps.clock();
  const began = performance.now();
  const base = {
    provider: call.provider,
    purpose: call.purpose,
    designId: call.design.id,
    workspaceId: call.design.workspace_id,
    requesterId: call.design.requester_id,
    startedAt,
  };
  try {
    const answer = await (deps.criticalPath ? deps.criticalPath.whileWaitingOnModel(run) : run());
    deps.calls.record({
      ...base,
      model: answer.model,
      outcome: 'ok',
      latencyMs: performance.now() - began,
      usage: answer.usage,
      images: call.images(answer),
    });
    return answer;
  } catch (error) {
    deps.calls.record({
      ...base,
      model: call.model,
      outcome: outcomeOf(error),
      latencyMs: performance.now() - began,
      usage: undefined,
      images: 0,
    });
    throw error;
  }
}
