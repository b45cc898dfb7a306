import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../storage/schema.ts';
import type { ModelCallLog } from '../ports/model-call-log.ts';
import { insertModelCalls, type ModelCallRow } from '../store/model-call-statements.ts';
import type { ModelCall } from './model-call.ts';
import { estimateCost, type CostEstimate, type ModelPrices } from './model-prices.ts';

export type BatchedModelCallLogDeps = {
  db: Kysely<Database>;
  prices: ModelPrices;
  logger: Logger;
  /** Each call as it is recorded, with its estimate (metrics). */
  recorded?: ((call: ModelCall, cost: CostEstimate) => void) | undefined;
  /** After a batch is written: the workspaces it spent in, each with its design that spent last. */
  written?: ((lastDesignByWorkspace: ReadonlyMap<string, string>) => Promise<void>) | undefined;
  /** Default 250 ms: a burst of views lands in one insert. */
  flushAfterMs?: number;
  /** Default 200 rows a statement. */
  maxBatch?: number;
};

/**
 * Writes model calls to Postgres in batches, off the design's path: a job records and goes on, and a
 * write that fails is logged with what was lost, never thrown at a design.
 */
export class BatchedModelCallLog implements ModelCallLog {
  private pending: ModelCallRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: BatchedModelCallLogDeps) {}

  record(call: ModelCall): void {
    const cost = estimateCost(this.deps.prices, call);
    this.pending.push({
      workspace_id: call.workspaceId,
      design_id: call.designId,
      requester_id: call.requesterId,
      provider: call.provider.slice(0, 40),
      model: call.model.slice(0, 120),
      purpose: call.purpose,
      outcome: call.outcome,
      started_at: call.startedAt,
      latency_ms: Math.max(0, Math.round(call.latencyMs)),
      tokens_in: call.usage?.tokensIn ?? null,
      tokens_out: call.usage?.tokensOut ?? null,
      images: call.images,
      cost_microusd: cost.microUsd,
      priced_by: cost.pricedBy,
    });
    try {
      this.deps.recorded?.(call, cost);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'observing a model call failed');
    }
    if (this.pending.length >= (this.deps.maxBatch ?? 200)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.deps.flushAfterMs ?? 250).unref();
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    // One write at a time, in order: a flush returns once everything recorded before it is written.
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: ModelCallRow[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await insertModelCalls(this.deps.db, batch);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, calls: batch.length, designs: [...new Set(batch.map((row) => row.design_id))] },
        'model call records could not be written; the designs go on without them',
      );
      return;
    }
    try {
      await this.deps.written?.(new Map(batch.map((row) => [row.workspace_id, row.design_id])));
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'checking budgets after model calls failed');
    }
  }
}
