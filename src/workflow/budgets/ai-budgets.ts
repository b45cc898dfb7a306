import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database, Workspace } from '../../storage/schema.ts';
import { claimBudgetNotice, findWorkspacesByIds, spentSince } from '../store/spend-statements.ts';
import type { WorkflowRefusal } from '../workflow-outcome.ts';
import { dayStart, levelsReached, microUsdPerCent, monthKey, monthStart } from './budget-periods.ts';

/** The operator's caps in US cents: each workspace's month unless it sets its own, and everyone's day. */
export type BudgetCaps = { workspaceMonthlyCents?: number | undefined; dailyCents?: number | undefined };

export type BudgetStanding = { spentMicroUsd: number; capCents: number | undefined; month: string };

/**
 * Caps on estimated AI spend. They are checked when a design would start (designs already running
 * finish: stopping one half-way would waste what it cost), and a workspace hears once per month when it
 * reaches 80% and 100% of its cap.
 */
export class AiBudgets {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; caps: BudgetCaps }) {}

  /** Why a new design may not start in this workspace now; undefined when it may. */
  async refusal(db: Kysely<Database>, workspace: Workspace): Promise<WorkflowRefusal | undefined> {
    const now = this.deps.clock();
    const monthly = this.capOf(workspace);
    if (monthly !== undefined) {
      const spent = await spentSince(db, { workspaceId: workspace.id, since: monthStart(now) });
      if (spent >= monthly * microUsdPerCent) return { reason: 'over_budget', scope: 'workspace' };
    }
    const daily = this.deps.caps.dailyCents;
    if (daily !== undefined) {
      const spent = await spentSince(db, { since: dayStart(now) });
      if (spent >= daily * microUsdPerCent) return { reason: 'over_budget', scope: 'operator' };
    }
    return undefined;
  }

  /** This month's spend of a workspace against its cap (its own, else the operator's default). */
  async standing(workspace: { id: string; monthlyBudgetCents: number | null }): Promise<BudgetStanding> {
    const now = this.deps.clock();
    const spentMicroUsd = await spentSince(this.deps.db, {
      workspaceId: workspace.id,
      since: monthStart(now),
    });
    const capCents = workspace.monthlyBudgetCents ?? this.deps.caps.workspaceMonthlyCents;
    return { spentMicroUsd, capCents, month: monthKey(now) };
  }

  /**
   * After calls were written: each workspace that reached a level of its cap this month for the first
   * time is told on the card of the design that spent last. Returns those designs (to be shown again).
   */
  async noticeLevels(lastDesignByWorkspace: ReadonlyMap<string, string>): Promise<string[]> {
    const capped = (await findWorkspacesByIds(this.deps.db, [...lastDesignByWorkspace.keys()])).filter(
      (workspace) => this.capOf(workspace) !== undefined,
    );
    const now = this.deps.clock();
    const told: string[] = [];
    for (const workspace of capped) {
      const capCents = this.capOf(workspace) ?? 0;
      const designId = lastDesignByWorkspace.get(workspace.id);
      if (designId === undefined) continue;
      const spentMicroUsd = await spentSince(this.deps.db, {
        workspaceId: workspace.id,
        since: monthStart(now),
      });
      for (const level of levelsReached(spentMicroUsd, capCents)) {
        const month = monthKey(now);
        const claimed = await claimBudgetNotice(this.deps.db, {
          workspaceId: workspace.id,
          month,
          level,
          designId,
          spentMicroUsd,
          capCents,
        });
        if (claimed && !told.includes(designId)) told.push(designId);
      }
    }
    return told;
  }

  private capOf(workspace: Workspace): number | undefined {
    return workspace.monthly_budget_cents ?? this.deps.caps.workspaceMonthlyCents;
  }
}
