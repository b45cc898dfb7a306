import type { Kysely, Updateable } from 'kysely';
import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import type { Database, DesignsTable } from '../storage/schema.ts';
import { isRetryableTransactionError } from '../storage/transaction-retry.ts';
import { decide, type Decision } from './machine/decide.ts';
import type { DesignEvent } from './machine/design-event.ts';
import { generatingStates } from './machine/design-state.ts';
import {
  compareAndSetDesign,
  findDesign,
  lockDesign,
  recordSettlement,
  type DesignRow,
} from './store/transition-statements.ts';

export type { DesignRow };

/** What a transition writes besides the state, decided once the machine has said yes. */
export type TransitionPlan = {
  patch?: Updateable<DesignsTable>;
  /** Who pays a new hold and how much (reserve only). */
  reserve?: { payerId: string; amount: number };
  /** Further rows written in the same transaction (iterations, views, revisions). */
  write?: (trx: Kysely<Database>) => Promise<void>;
};

export type TransitionResult =
  | { ok: true; design: DesignRow; decision: Extract<Decision, { ok: true }> }
  | {
      ok: false;
      reason: Exclude<Decision, { ok: true }>['reason'] | 'insufficient_credits';
      cost?: number;
      available?: number;
    };

class InsufficientCredits extends Error {
  constructor(
    readonly cost: number,
    readonly available: number,
  ) {
    super('insufficient credits');
  }
}

/**
 * Applies a machine decision as a compare-and-set on (state, iteration) together with its credit
 * operation in one transaction: a double click, a redelivered job or a second worker finds the row
 * already moved and gets the refusal the new state implies, never a second effect.
 */
export class DesignTransitions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: CreditLedger,
    private readonly options: {
      clock: Clock;
      holdTtlMs: number;
      /**
       * Called after a commit that took a design off the image model (a waiting one may start) or out
       * of the line (those behind it move up).
       */
      lineMoved?: (workspaceId: string, how: { slotFreed: boolean }) => Promise<unknown>;
    },
  ) {}

  async load(db: Kysely<Database>, designId: string): Promise<DesignRow | undefined> {
    return findDesign(db, designId);
  }

  /** What `event` would decide on the design as it is now, changing nothing (a form about to open). */
  async preview(designId: string, event: DesignEvent): Promise<Decision> {
    const design = await this.load(this.db, designId);
    return decide(design ? machineView(design) : null, event);
  }

  /** `event` may be decided inside the transaction, e.g. whether this view was the last one. */
  async apply(
    designId: string,
    event: DesignEvent | ((trx: Kysely<Database>, design: DesignRow) => Promise<DesignEvent>),
    plan: (design: DesignRow, decision: Extract<Decision, { ok: true }>) => TransitionPlan,
  ): Promise<TransitionResult> {
    let from: string | undefined;
    const result = await this.applyOnce(designId, event, plan, (state) => (from = state));
    if (!result.ok) return result;
    const slotFreed = isGenerating(from) && !isGenerating(result.decision.next);
    if (slotFreed || from === 'queued')
      await this.options.lineMoved?.(result.design.workspace_id, { slotFreed });
    return result;
  }

  private async applyOnce(
    designId: string,
    event: DesignEvent | ((trx: Kysely<Database>, design: DesignRow) => Promise<DesignEvent>),
    plan: (design: DesignRow, decision: Extract<Decision, { ok: true }>) => TransitionPlan,
    movedFrom: (state: string) => void,
    attempt = 1,
  ): Promise<TransitionResult> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        // Locked from the first read: a racing transition (the four views of a design finishing
        // together) waits here and then reads the state that won, instead of failing its
        // compare-and-set and starting over.
        const design = await lockDesign(trx, designId);
        const decided = design && typeof event === 'function' ? await event(trx, design) : event;
        if (typeof decided === 'function') return { ok: false, reason: 'not_found' };
        const decision = decide(design ? machineView(design) : null, decided);
        // Thrown, not returned: what the event function wrote (a view marked done) must not commit
        // without the transition it was written for.
        if (!design || !decision.ok) throw new Refusal(decision.ok ? 'not_found' : decision.reason);
        const steps = plan(design, decision);
        // The compare-and-set comes before the hold is touched; with the row locked it cannot lose, but
        // it stays the guard (the version) should a caller ever read without the lock.
        const moved = await compareAndSetDesign(trx, {
          designId,
          expected: { state: design.state, iteration: design.iteration, version: design.version },
          patch: steps.patch,
          next: { state: decision.next, iteration: decision.iteration, updatedAt: this.options.clock() },
        });
        if (!moved) throw new LostRace();
        movedFrom(design.state);
        const hold = await this.settleCredits(trx, design, decision, steps);
        const stored = Object.keys(hold).length === 0 ? moved : await recordSettlement(trx, designId, hold);
        await steps.write?.(trx);
        return {
          ok: true,
          design: {
            ...stored,
            approver_group: design.approver_group,
            requesters_approve: design.requesters_approve,
            // A transition that moved to another iteration has no pick there yet.
            picked: decision.iteration === design.iteration ? design.picked : null,
          },
          decision,
        };
      });
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, reason: error.reason };
      if (error instanceof InsufficientCredits)
        return { ok: false, reason: 'insufficient_credits', cost: error.cost, available: error.available };
      // Lost the race, or a stale statement or deadlock: everything rolled back; decide again.
      if ((error instanceof LostRace || isRetryableTransactionError(error)) && attempt < 5)
        return this.applyOnce(designId, event, plan, movedFrom, attempt + 1);
      throw error;
    }
  }

  private async settleCredits(
    trx: Kysely<Database>,
    design: DesignRow,
    decision: Extract<Decision, { ok: true }>,
    steps: TransitionPlan,
  ): Promise<Updateable<DesignsTable>> {
    const ledger = this.ledger.within(trx);
    const subject = `design:${design.id}:${design.hold_seq}`;
    const expiresAt = new Date(this.options.clock().getTime() + this.options.holdTtlMs);
    switch (decision.credit) {
      case 'none':
        return {};
      case 'reserve': {
        if (!steps.reserve) throw new Error(`a reserve for design ${design.id} without a payer`);
        // A new hold gets its own subject: the previous one was settled.
        const seq = design.hold_seq + 1;
        if (steps.reserve.amount === 0) return { hold_id: null, hold_seq: seq, hold_amount: 0 };
        const outcome = await ledger.reserve({
          account: { workspaceId: design.workspace_id, userId: steps.reserve.payerId },
          subject: `design:${design.id}:${seq}`,
          amount: steps.reserve.amount,
          key: `design:${design.id}:${seq}:reserve`,
          expiresAt,
          memo: `Design ${design.id.slice(0, 8)}`,
        });
        if (outcome.kind === 'insufficient') throw new InsufficientCredits(outcome.cost, outcome.available);
        return { hold_id: outcome.holdId, hold_seq: seq, hold_amount: steps.reserve.amount };
      }
      case 'extend': {
        const amount = phasePrice({ ...design, iteration: decision.iteration });
        const held = design.hold_id === null ? 0 : design.hold_amount;
        if (amount === held) return {};
        const key = `${subject}:edit:${decision.iteration}`;
        const memo = `Edit ${decision.iteration - 1} of design ${design.id.slice(0, 8)}`;
        if (design.hold_id === null) {
          // Nothing is held while a phase costs nothing (a free design before its first paid edit): the
          // edit opens the phase's hold for the whole price so far, under the phase's own subject, paid
          // by the requester as an extension would be.
          const outcome = await ledger.reserve({
            account: { workspaceId: design.workspace_id, userId: design.requester_id },
            subject,
            amount,
            key,
            expiresAt,
            memo,
          });
          if (outcome.kind === 'insufficient') throw new InsufficientCredits(outcome.cost, outcome.available);
          return { hold_id: outcome.holdId, hold_amount: amount };
        }
        if (amount < held)
          throw new Error(`design ${design.id} holds ${held}, more than its price ${amount}`);
        const outcome = await ledger.extend({
          holdId: design.hold_id,
          amount: amount - held,
          key,
          expiresAt,
          memo,
        });
        if (outcome.kind === 'insufficient') throw new InsufficientCredits(outcome.cost, outcome.available);
        if (outcome.kind !== 'extended') throw new Error(`extend of ${subject}: ${outcome.kind}`);
        return { hold_amount: amount };
      }
      case 'capture': {
        if (design.hold_id === null) return {};
        const outcome = await ledger.capture({
          holdId: design.hold_id,
          expectedAmount: design.hold_amount,
          key: `${subject}:capture`,
          memo: `Design ${design.id.slice(0, 8)} completed`,
        });
        if (outcome.kind !== 'settled') throw new Error(`capture of ${subject}: ${outcome.kind}`);
        return { charged: design.charged + outcome.amount };
      }
      case 'release':
      case 'expire': {
        if (design.hold_id === null) return {};
        const outcome =
          decision.credit === 'release'
            ? await ledger.release({ holdId: design.hold_id, key: `${subject}:release`, memo: 'Returned' })
            : await ledger.expire({ holdId: design.hold_id, key: `${subject}:expire` });
        // A hold that expired on its own (the ledger's sweeper) has returned its credits already.
        if (outcome.kind !== 'settled' && outcome.kind !== 'already_settled')
          throw new Error(`${decision.credit} of ${subject}: ${outcome.kind}`);
        return {};
      }
    }
  }
}

/**
 * What the design's current phase costs if it completes now: in its first round the design with every
 * accepted edit, in a later round the one edited view. The phase's hold is always exactly this (none
 * while it is 0), so completing captures it and a retry of a failed phase reserves it again.
 *
 * With several front-view candidates every picture drawn after the first costs the edit price: the
 * first iteration is the base price plus (N - 1) edits, each edit round N edits.
 */
export function phasePrice(
  design: Pick<DesignRow, 'round' | 'iteration' | 'base_price' | 'edit_price' | 'candidates'>,
): number {
  return design.round === 1
    ? design.base_price + design.edit_price * (design.candidates * design.iteration - 1)
    : design.edit_price;
}

class LostRace extends Error {}

class Refusal extends Error {
  constructor(readonly reason: Exclude<Decision, { ok: true }>['reason']) {
    super(reason);
  }
}

function isGenerating(state: string | undefined): boolean {
  return (generatingStates as readonly (string | undefined)[]).includes(state);
}

function machineView(design: DesignRow) {
  return {
    state: design.state,
    iteration: design.iteration,
    requesterId: design.requester_id,
    failedPhase: design.failed_phase,
    policy: { approverGroup: design.approver_group, requestersApprove: design.requesters_approve },
    candidates: design.candidates,
    picked: design.picked,
  };
}
