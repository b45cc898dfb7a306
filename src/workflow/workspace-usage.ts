import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../storage/schema.ts';
import type { AiBudgets } from './budgets/ai-budgets.ts';
import { monthStart } from './budgets/budget-periods.ts';
import { designCosts, workspaceMonth, type WorkspaceMonth } from './model-calls/usage-report.ts';

export type WorkspaceMonthUsage = WorkspaceMonth & {
  /** YYYY-MM, UTC. */
  month: string;
  /** The monthly cap in US dollars (the workspace's own or the operator's), undefined for none. */
  budgetUsd: number | undefined;
  /** Whether the cap is the workspace's own setting. */
  ownBudget: boolean;
};

/** What a workspace's admins read about its AI spend: this month's figures and each design's cost. */
export class WorkspaceUsage {
  constructor(private readonly deps: { db: Kysely<Database>; budgets: AiBudgets; clock: Clock }) {}

  async thisMonth(workspace: {
    id: string;
    monthlyBudgetCents: number | null;
  }): Promise<WorkspaceMonthUsage> {
    const [figures, standing] = await Promise.all([
      workspaceMonth(this.deps.db, { workspaceId: workspace.id, monthStart: monthStart(this.deps.clock()) }),
      this.deps.budgets.standing(workspace),
    ]);
    return {
      ...figures,
      month: standing.month,
      budgetUsd: standing.capCents === undefined ? undefined : standing.capCents / 100,
      ownBudget: workspace.monthlyBudgetCents !== null,
    };
  }

  /** Estimated cost of each design in US dollars. */
  costs(designIds: readonly string[]): Promise<Map<string, number>> {
    return designCosts(this.deps.db, designIds);
  }
}
