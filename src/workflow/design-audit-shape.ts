import type {
  AskedVia,
  AuditDecision,
  DesignAudit,
  DesignCredits,
  DesignModelUsage,
  IterationAudit,
} from './design-audit.ts';
import type {
  CreditTotalsRow,
  selectAuditDesigns,
  selectAuditIterations,
  selectAuditModelCalls,
} from './design-audit-statements.ts';
import { findPreset } from './prompts.ts';

type DesignRow = Awaited<ReturnType<typeof selectAuditDesigns>>[number];
type IterationRow = Awaited<ReturnType<typeof selectAuditIterations>>[number];
type ModelCallsRow = Awaited<ReturnType<typeof selectAuditModelCalls>>[number];

const noCredits: DesignCredits = { held: 0, captured: 0, released: 0, expired: 0 };
const noModelUse: DesignModelUsage = { calls: 0, latencyMs: 0, costMicroUsd: 0 };

/** Joins the audit's separate reads into one record per design, in the designs' order. */
export function shapeDesignAudits(rows: {
  designs: readonly DesignRow[];
  iterations: readonly IterationRow[];
  credits: readonly CreditTotalsRow[];
  calls: readonly ModelCallsRow[];
}): DesignAudit[] {
  const iterationsOf = groupBy(rows.iterations, (row) => row.design_id);
  const creditsOf = new Map(rows.credits.map((row) => [row.design_id, row]));
  const callsOf = new Map(rows.calls.map((row) => [row.design_id, row]));
  return rows.designs.map((design) => {
    const decision = decisionOf(design);
    const credits = creditsOf.get(design.id);
    const calls = callsOf.get(design.id);
    return {
      id: design.id,
      prompt: design.prompt,
      kind: design.kind,
      state: design.state,
      requesterId: design.requester_id,
      createdAt: asDate(design.created_at),
      finishedAt: optionalDate(design.finished_at),
      failureKind: design.failure_kind,
      decision,
      credits: credits
        ? {
            held: credits.held,
            captured: credits.captured,
            released: credits.released,
            expired: credits.expired,
          }
        : noCredits,
      model: calls
        ? {
            calls: Number(calls.calls),
            latencyMs: Number(calls.latency_ms),
            costMicroUsd: Number(calls.cost_microusd),
          }
        : noModelUse,
      iterations: (iterationsOf.get(design.id) ?? []).map((row) => iterationOf(row, design.prompt, decision)),
    };
  });
}

/**
 * A decision is recorded on the design, of the iteration it was at: approving or declining ends the
 * iterations. A design is declined or approved, never both (a decline ends it while it awaits approval).
 */
function decisionOf(design: DesignRow): AuditDecision | null {
  if (design.declined_by !== null && design.declined_at !== null)
    return {
      kind: 'declined',
      iteration: design.iteration,
      by: design.declined_by,
      at: asDate(design.declined_at),
      reason: design.decline_reason ?? '',
    };
  if (design.approved_by === null || design.approved_at === null) return null;
  return {
    kind: 'approved',
    iteration: design.iteration,
    by: design.approved_by,
    at: asDate(design.approved_at),
  };
}

function iterationOf(row: IterationRow, prompt: string, decision: AuditDecision | null): IterationAudit {
  const decided = decision?.iteration === row.iteration ? decision : null;
  return {
    iteration: row.iteration,
    requestedBy: row.requested_by,
    requestedAt: asDate(row.created_at),
    ...askedFor(row, prompt),
    frontCompletedAt: optionalDate(row.completed_at),
    decision: decided?.kind ?? null,
    decidedBy: decided?.by ?? null,
    decidedAt: decided?.at ?? null,
  };
}

function askedFor(row: IterationRow, prompt: string): { askedVia: AskedVia; askedFor: string } {
  if (row.preset !== null) {
    // A preset retired since keeps its id: the audit still says which one it was.
    return { askedVia: 'preset', askedFor: findPreset(row.preset)?.label ?? row.preset };
  }
  if (row.feedback !== null) return { askedVia: 'feedback', askedFor: row.feedback };
  return { askedVia: 'prompt', askedFor: prompt };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

// The pg driver gives Dates, but a column typed for inserts may also hold a string.
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function optionalDate(value: Date | string | null): Date | null {
  return value === null ? null : asDate(value);
}
