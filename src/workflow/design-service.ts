import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { CreditLedger } from '../credits/ledger.ts';
import { isUniqueViolation } from '../storage/postgres-errors.ts';
import type { Database } from '../storage/schema.ts';
import type { Actor } from './actor.ts';
import { withTransactionRetry } from '../storage/transaction-retry.ts';
import type { AdmittedDesign, DesignAdmission } from './admission/design-admission.ts';
import type { AiBudgets } from './budgets/ai-budgets.ts';
import { loadSnapshot, type DesignSnapshot } from './design-snapshot.ts';
import { phasePrice, type DesignTransitions, type TransitionResult } from './design-transitions.ts';
import type { DesignEffects } from './design-effects.ts';
import type { InputImage } from './input-image.ts';
import type { ImageStore } from './ports/image-store.ts';
import type { DesignEvent } from './machine/design-event.ts';
import { findPreset, maxFeedbackLength, maxPromptLength, type EditRequest } from './prompts.ts';
import {
  approveFrontView,
  insertEditIteration,
  resetUnfinishedViews,
  resetViewForRound,
} from './store/command-statements.ts';
import {
  findDesignIdByRequestKey,
  findVariationParent,
  insertDesign,
  setDesignHold,
} from './store/design-creation-statements.ts';
import { pickCandidate } from './store/candidate-statements.ts';
import { findWorkspaceById } from './store/workspace-statements.ts';
import { remainingViews, type RemainingView } from './views.ts';
import type { WorkflowOutcome, WorkflowRefusal } from './workflow-outcome.ts';

export type ServiceDeps = {
  db: Kysely<Database>;
  ledger: CreditLedger;
  transitions: DesignTransitions;
  /** Shared with the jobs, so every change to a design is shown through one publisher, in order. */
  effects: DesignEffects;
  /** The line in front of the image model: new designs join it and start when a slot is free. */
  admission: DesignAdmission;
  /** Caps on estimated AI spend, checked before a design starts. */
  budgets: AiBudgets;
  clock: Clock;
  holdTtlMs: number;
  logger: Logger;
  /** Where an input image (a sketch or photo) is kept before its design is created. */
  images: ImageStore;
};

export type StartRequest = {
  workspaceId: string;
  actor: Actor;
  prompt: string;
  /** The platform's id of this request: the same id again returns the same design. */
  requestKey?: string | undefined;
  /** Where the platform will show the card (DesignSnapshot.surface). */
  surface?: Record<string, unknown> | undefined;
  /** A sketch or photo to start from, checked and re-encoded (prepareInputImage). */
  inputImage?: InputImage | undefined;
  /** Front-view candidates per round (1-4); left out: the workspace's default. */
  candidates?: number | undefined;
};

class Refused extends Error {
  constructor(readonly outcome: WorkflowOutcome) {
    super('refused');
  }
}

/**
 * What people can do to designs. Every command checks who acts, changes state and credits in one
 * transaction (DesignTransitions) and, once committed, queues the next job and shows the new state.
 */
export class DesignService {
  private readonly effects: DesignEffects;

  constructor(private readonly deps: ServiceDeps) {
    this.effects = deps.effects;
  }

  async start(request: StartRequest): Promise<WorkflowOutcome> {
    const prompt = cleanText(request.prompt);
    if (prompt === '') return { ok: false, reason: 'empty_prompt' };
    if (prompt.length > maxPromptLength)
      return { ok: false, reason: 'prompt_too_long', max: maxPromptLength };
    return this.create({ ...request, prompt, kind: 'design', parent: null });
  }

  /** A new design from an earlier one's approved front view, at the variation price, paid by the actor. */
  async startVariation(
    request: Omit<StartRequest, 'prompt'> & { designId: string },
  ): Promise<WorkflowOutcome> {
    const parent = await findVariationParent(this.deps.db, request.designId);
    if (!parent || parent.workspace_id !== request.workspaceId) return { ok: false, reason: 'not_found' };
    if (parent.state !== 'done') return { ok: false, reason: 'no_front_view' };
    return this.create({ ...request, prompt: parent.prompt, kind: 'variation', parent: request.designId });
  }

  async edit(request: { designId: string; actor: Actor; iteration: number; edit: EditRequest }) {
    const edit = validateEdit(request.edit);
    if ('reason' in edit) return { ok: false as const, ...edit };
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'edit', iteration: request.iteration, actor: request.actor },
      (design, decision) => ({
        patch: {},
        write: async (trx) => {
          await insertEditIteration(trx, {
            designId: design.id,
            iteration: decision.iteration,
            preset: 'preset' in edit ? edit.preset : null,
            feedback: 'feedback' in edit ? edit.feedback : null,
            requestedBy: request.actor.userId,
            createdAt: this.deps.clock(),
          });
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /**
   * Whether `actor` may ask for changes to this iteration now, changing nothing: the change form is only
   * shown to someone whose submission could count (the submission is checked again).
   */
  async checkEdit(request: {
    designId: string;
    actor: Actor;
    iteration: number;
  }): Promise<WorkflowRefusal | undefined> {
    return this.refusalOf(request.designId, {
      type: 'edit',
      iteration: request.iteration,
      actor: request.actor,
    });
  }

  /** The same check for editing one view of a finished design, before its form opens. */
  async checkEditView(request: { designId: string; actor: Actor }): Promise<WorkflowRefusal | undefined> {
    return this.refusalOf(request.designId, {
      type: 'edit_view',
      actor: request.actor,
    });
  }

  async approve(request: { designId: string; actor: Actor; iteration: number }): Promise<WorkflowOutcome> {
    const now = this.deps.clock();
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'approve', iteration: request.iteration, actor: request.actor },
      (design) => ({
        patch: { approved_by: request.actor.userId, approved_at: now },
        write: async (trx) => {
          const front = await approveFrontView(trx, {
            designId: design.id,
            iteration: design.iteration,
            now,
          });
          if (!front) throw new Error(`design ${design.id} awaiting approval without a front view`);
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /**
   * Picks one of this iteration's front-view candidates: its image becomes the iteration's front view,
   * the one Approve, the quick edits and Request changes act on. A pick may be changed until then.
   */
  async pick(request: {
    designId: string;
    actor: Actor;
    iteration: number;
    candidate: number;
  }): Promise<WorkflowOutcome> {
    const { candidate } = request;
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'pick', iteration: request.iteration, candidate, actor: request.actor },
      (design) => ({
        write: async (trx) => {
          const picked = await pickCandidate(trx, {
            designId: design.id,
            iteration: design.iteration,
            candidate,
          });
          if (!picked)
            throw new Error(`design ${design.id} awaiting approval without candidate ${candidate}`);
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /**
   * An approver turns this iteration down: the design ends as declined, its hold is released (nothing
   * charged), and who declined and why is kept for the card and the audit trail.
   */
  async decline(request: {
    designId: string;
    actor: Actor;
    iteration: number;
    reason: string;
  }): Promise<WorkflowOutcome> {
    const reason = cleanText(request.reason);
    if (reason === '') return { ok: false, reason: 'empty_decline_reason' };
    if (reason.length > maxFeedbackLength)
      return { ok: false, reason: 'feedback_too_long', max: maxFeedbackLength };
    const now = this.deps.clock();
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'decline', iteration: request.iteration, actor: request.actor },
      () => ({
        patch: {
          declined_by: request.actor.userId,
          declined_at: now,
          decline_reason: reason,
          finished_at: now,
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /** Whether `actor` may decline this iteration now, changing nothing (before the reason form opens). */
  async checkDecline(request: {
    designId: string;
    actor: Actor;
    iteration: number;
  }): Promise<WorkflowRefusal | undefined> {
    return this.refusalOf(request.designId, {
      type: 'decline',
      iteration: request.iteration,
      actor: request.actor,
    });
  }

  async cancel(request: { designId: string; actor: Actor }): Promise<WorkflowOutcome> {
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'cancel', actor: request.actor },
      () => ({ patch: { finished_at: this.deps.clock() } }),
    );
    return this.finish(request.designId, result);
  }

  /** Resumes a failed design where it failed; its credits are reserved again (they were returned). */
  async retry(request: { designId: string; actor: Actor }): Promise<WorkflowOutcome> {
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'retry', actor: request.actor },
      (design) => ({
        patch: { failure_kind: null, failure_message: null, failed_phase: null, finished_at: null },
        reserve: { payerId: design.requester_id, amount: phasePrice(design) },
        write: async (trx) => {
          await resetUnfinishedViews(trx, design.id);
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /** Regenerates one view of a completed design as a new revision, at the edit price, paid by the actor. */
  async editView(request: {
    designId: string;
    actor: Actor;
    view: RemainingView;
    /** What should change in the view; none draws it again. */
    instruction?: string | undefined;
  }): Promise<WorkflowOutcome> {
    if (!(remainingViews as readonly string[]).includes(request.view))
      return { ok: false, reason: 'not_allowed' };
    const instruction = cleanText(request.instruction ?? '');
    if (instruction.length > maxFeedbackLength)
      return { ok: false, reason: 'feedback_too_long', max: maxFeedbackLength };
    const result = await this.deps.transitions.apply(
      request.designId,
      { type: 'edit_view', actor: request.actor },
      (design) => ({
        patch: { round: design.round + 1, finished_at: null },
        reserve: {
          payerId: request.actor.userId,
          amount: phasePrice({ ...design, round: design.round + 1 }),
        },
        write: async (trx) => {
          await resetViewForRound(trx, {
            designId: design.id,
            view: request.view,
            round: design.round + 1,
            instruction: instruction === '' ? null : instruction,
          });
        },
      }),
    );
    return this.finish(request.designId, result);
  }

  /** What `event` would be refused for now, changing nothing; undefined when it would go through. */
  private async refusalOf(designId: string, event: DesignEvent): Promise<WorkflowRefusal | undefined> {
    const decision = await this.deps.transitions.preview(designId, event);
    if (decision.ok) return undefined;
    return { reason: decision.reason === 'not_expected' ? 'finished' : decision.reason };
  }

  snapshot(designId: string) {
    return loadSnapshot(this.deps.db, designId);
  }

  private async create(
    request: StartRequest & { kind: 'design' | 'variation'; parent: string | null },
  ): Promise<WorkflowOutcome> {
    const { db, ledger, clock } = this.deps;
    if (request.requestKey !== undefined) {
      const existing = await this.byRequestKey(request.workspaceId, request.requestKey);
      if (existing) return replayOf(existing, request);
    }
    // Stored before the design exists, so that its first front job always finds it. The key is the
    // content's hash: a retry stores nothing new, and a design refused below leaves one unreferenced copy.
    if (request.inputImage) await this.deps.images.put(request.inputImage.key, request.inputImage.png);
    let created: { designId: string; admitted: AdmittedDesign[] };
    try {
      created = await withTransactionRetry(() =>
        db.transaction().execute(async (trx) => {
          // Not locked yet: the rows below are written first, so the workspace lock that serialises
          // admissions is held only for the admission itself (a burst of new designs queues on it).
          const workspace = await findWorkspaceById(trx, request.workspaceId);
          if (!workspace) throw new Refused({ ok: false, reason: 'not_found' });
          const overBudget = await this.deps.budgets.refusal(trx, workspace);
          if (overBudget) throw new Refused({ ok: false, ...overBudget });
          const candidates = request.candidates ?? workspace.candidates_default;
          if (!Number.isInteger(candidates) || candidates < 1 || candidates > workspace.candidates_max)
            throw new Refused({ ok: false, reason: 'too_many_candidates', max: workspace.candidates_max });
          const basePrice = request.kind === 'variation' ? workspace.price_variation : workspace.price_design;
          // Every candidate after the first costs an edit, held with the design from the start.
          const price = phasePrice({
            round: 1,
            iteration: 1,
            base_price: basePrice,
            edit_price: workspace.price_edit,
            candidates,
          });
          const now = clock();
          const design = await insertDesign(trx, {
            workspaceId: workspace.id,
            requesterId: request.actor.userId,
            prompt: request.prompt,
            kind: request.kind,
            parentDesignId: request.parent,
            basePrice,
            editPrice: workspace.price_edit,
            candidates,
            holdAmount: price,
            requestKey: request.requestKey ?? null,
            surface: request.surface ?? {},
            inputImageKey: request.inputImage?.key ?? null,
            now,
          });
          if (price > 0) {
            const outcome = await ledger.within(trx).reserve({
              account: { workspaceId: workspace.id, userId: request.actor.userId },
              subject: `design:${design.id}:1`,
              amount: price,
              key: `design:${design.id}:1:reserve`,
              expiresAt: new Date(now.getTime() + this.deps.holdTtlMs),
              memo: `Design ${design.id.slice(0, 8)}`,
            });
            if (outcome.kind === 'insufficient') {
              throw new Refused({
                ok: false,
                reason: 'insufficient_credits',
                cost: price,
                available: outcome.available,
              });
            }
            await setDesignHold(trx, design.id, outcome.holdId);
          }
          const admitted = await this.deps.admission.admitNew(trx, workspace.id, design.id);
          return { designId: design.id, admitted };
        }),
      );
    } catch (error) {
      if (error instanceof Refused) return error.outcome;
      if (request.requestKey !== undefined && isUniqueViolation(error)) {
        const existing = await this.byRequestKey(request.workspaceId, request.requestKey);
        if (existing) return replayOf(existing, request);
      }
      throw error;
    }
    const { designId, admitted } = created;
    for (const design of admitted) {
      await this.effects.enqueue({ kind: 'front', designId: design.id, iteration: design.iteration });
      if (design.id !== designId) this.effects.changedInBackground(design.id);
    }
    return this.effects.changed(designId);
  }

  private async byRequestKey(workspaceId: string, requestKey: string) {
    const designId = await findDesignIdByRequestKey(this.deps.db, workspaceId, requestKey);
    return designId !== undefined ? loadSnapshot(this.deps.db, designId) : undefined;
  }

  /** After a commit: queue what the new state needs and show it; or explain the refusal. */
  private async finish(designId: string, result: TransitionResult): Promise<WorkflowOutcome> {
    if (!result.ok) {
      const design = await loadSnapshot(this.deps.db, designId);
      if (result.reason === 'insufficient_credits')
        return {
          ok: false,
          reason: result.reason,
          cost: result.cost ?? 0,
          available: result.available ?? 0,
          design,
        };
      if (result.reason === 'not_expected') return { ok: false, reason: 'finished', design };
      return { ok: false, reason: result.reason, design };
    }
    // Both follow the commit and neither needs the other: the next jobs are queued while the answer loads.
    const [, outcome] = await Promise.all([
      this.effects.resume(result.design),
      this.effects.changed(designId),
    ]);
    return outcome;
  }
}

/**
 * A request key seen before: the same request again (a platform retry) gets the design it started; the
 * key reused for another request starts nothing and says so.
 */
function replayOf(
  existing: DesignSnapshot,
  request: {
    prompt: string;
    kind: 'design' | 'variation';
    parent: string | null;
    actor: Actor;
    inputImage?: InputImage | undefined;
  },
): WorkflowOutcome {
  const same =
    existing.prompt === request.prompt &&
    existing.inputImageKey === (request.inputImage?.key ?? null) &&
    existing.kind === request.kind &&
    existing.parentDesignId === request.parent &&
    existing.requesterId === request.actor.userId;
  return same ? { ok: true, design: existing, replayed: true } : { ok: false, reason: 'request_reused' };
}

function validateEdit(edit: EditRequest):
  | EditRequest
  | { reason: 'unknown_preset' | 'empty_feedback' }
  | {
      reason: 'feedback_too_long';
      max: number;
    } {
  if ('preset' in edit) return findPreset(edit.preset) ? edit : { reason: 'unknown_preset' };
  const feedback = cleanText(edit.feedback);
  if (feedback === '') return { reason: 'empty_feedback' };
  if (feedback.length > maxFeedbackLength) return { reason: 'feedback_too_long', max: maxFeedbackLength };
  return { feedback };
}

/** User text without control characters (they break cards and prompts) and outer whitespace. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
}
