import type { Kysely } from 'kysely';
import type { Database, DesignState } from '../storage/schema.ts';
import { shapeDesignAudits } from './design-audit-shape.ts';
import {
  selectAuditCredits,
  selectAuditDesigns,
  selectAuditIterations,
  selectAuditModelCalls,
  type AuditScope,
} from './design-audit-statements.ts';

/** What ended a design's wait for approval: an approver's yes, or their no with a reason. */
export type DecisionKind = 'approved' | 'declined';

/**
 * Who decided which iteration, and when. A decline also says why (the requester was told the same
 * words); an approval needs no reason.
 */
export type AuditDecision =
  | { kind: 'approved'; iteration: number; by: string; at: Date }
  | { kind: 'declined'; iteration: number; by: string; at: Date; reason: string };

/** How an iteration was asked for: the design's prompt (iteration 1), a quick-edit preset or typed feedback. */
export type AskedVia = 'prompt' | 'preset' | 'feedback';

export type IterationAudit = {
  iteration: number;
  requestedBy: string;
  requestedAt: Date;
  askedVia: AskedVia;
  /** The prompt, the preset's label (its id when no longer offered) or the feedback text. */
  askedFor: string;
  /** When its front view was stored; null while generating or when it never came. */
  frontCompletedAt: Date | null;
  decision: DecisionKind | null;
  decidedBy: string | null;
  decidedAt: Date | null;
};

/** Credits of all the design's holds, from the ledger's entries: held = reserved + extended. */
export type DesignCredits = { held: number; captured: number; released: number; expired: number };

export type DesignModelUsage = {
  calls: number;
  /** Sum of the calls' latencies: parallel calls each count in full. */
  latencyMs: number;
  /** Estimated when each call was made (model_calls.cost_microusd). */
  costMicroUsd: number;
};

export type DesignAudit = {
  id: string;
  prompt: string;
  kind: 'design' | 'variation';
  state: DesignState;
  requesterId: string;
  createdAt: Date;
  finishedAt: Date | null;
  failureKind: string | null;
  decision: AuditDecision | null;
  credits: DesignCredits;
  model: DesignModelUsage;
  iterations: IterationAudit[];
};

/**
 * A workspace's designs created since `since`, oldest first, each with its iterations, decision, credits
 * and model use. Four statements whatever the number of designs, read from one snapshot so that a design
 * completing meanwhile never shows a capture next to an earlier state.
 */
export function auditDesigns(
  db: Kysely<Database>,
  query: { workspaceId: string; since: Date },
): Promise<DesignAudit[]> {
  return audit(db, query);
}

/** One design of a workspace (the chat's history detail); undefined when it is not the workspace's. */
export async function auditDesign(
  db: Kysely<Database>,
  query: { workspaceId: string; designId: string },
): Promise<DesignAudit | undefined> {
  return (await audit(db, query))[0];
}

async function audit(db: Kysely<Database>, scope: AuditScope): Promise<DesignAudit[]> {
  const read = async (trx: Kysely<Database>) => {
    const designs = await selectAuditDesigns(trx, scope);
    if (designs.length === 0) return [];
    const iterations = await selectAuditIterations(trx, scope);
    const credits = await selectAuditCredits(trx, designs);
    const calls = await selectAuditModelCalls(trx, scope);
    return shapeDesignAudits({ designs, iterations, credits, calls });
  };
  return db.isTransaction
    ? read(db)
    : db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}
