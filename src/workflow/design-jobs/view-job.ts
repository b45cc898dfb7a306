import { markViewDone } from '../store/design-statements.ts';
import type { DesignRow } from '../design-transitions.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import type { DesignEvent } from '../machine/design-event.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { viewPrompt } from '../prompts.ts';
import { claimView } from '../store/view-claim-statement.ts';
import type { RemainingView } from '../views.ts';
import { attemptStep } from './attempt-step.ts';
import type { FeatureExtractions } from './feature-extractions.ts';
import type { FinalizeJob } from './finalize-job.ts';
import { imageKeys } from './image-keys.ts';
import { meteredCall } from './metered-call.ts';
import type { JobDeps } from './job-deps.ts';

/**
 * view:<design>:<view>: generates one of the four remaining views from the approved front view; the
 * four run in parallel, and the last one to finish finalizes the design.
 */
export class ViewJob {
  constructor(
    private readonly deps: JobDeps,
    private readonly features: FeatureExtractions,
    private readonly finalize: FinalizeJob,
  ) {}

  async run(designId: string, view: RemainingView, round: number, attempt: JobAttempt): Promise<void> {
    const { db, transitions, images, clock } = this.deps;
    const claimed = await claimView(db, { designId, view, round, now: clock() });
    if (!claimed) return;
    if (claimed.shown) this.deps.effects.changedInBackground(designId);
    const { design } = claimed;
    const key = imageKeys.view(designId, round, view);
    const stored = await attemptStep(this.deps, {
      design,
      phase: 'views',
      attempt,
      failure: { type: 'view_failed' },
      step: async () => {
        if (!claimed.frontKey)
          throw new PermanentError('invalid_input', 'The approved front view is missing.');
        const front = await images.get(claimed.frontKey);
        const features = await this.features.ofApprovedFront(design, claimed.features, front);
        const { model } = this.deps;
        // Round 1 draws the design's views; a later round redraws one that was asked to change.
        const purpose = round > 1 ? 'view_edit' : 'view';
        const image = await meteredCall(
          this.deps,
          { provider: model.name, model: model.model, purpose, design, images: () => 1 },
          () =>
            model.generate({
              designId,
              view,
              prompt: viewPrompt(view, design.prompt, features, claimed.instruction),
              productDescription: design.prompt,
              references: [{ png: front, role: 'approved_front' }],
            }),
        );
        await images.put(key, image.png);
        return image.png;
      },
      view,
    });
    if (!stored) return;
    const now = clock();
    const result = await transitions.apply(
      designId,
      async (trx): Promise<DesignEvent> => {
        const notDone = await markViewDone(trx, { designId, view, round, imageKey: key, now });
        return notDone === 0 ? { type: 'all_views_ready' } : { type: 'view_ready' };
      },
      () => ({}),
    );
    if (!result.ok) return;
    this.deps.effects.changedInBackground(designId);
    // Only the last view moves the design on; the others' jobs are already queued.
    if (result.design.state === 'finalizing') return this.finalizeNow(result.design, attempt);
    if (result.design.state !== 'generating_views') await this.deps.effects.resume(result.design);
  }

  /**
   * The last view finalizes the design itself rather than through one more queue hop. If that fails the
   * finalize job is queued as usual (and the reconciler re-queues it after a crash).
   */
  private async finalizeNow(design: DesignRow, attempt: JobAttempt): Promise<void> {
    try {
      await this.finalize.run(design.id, design.round, attempt, design);
    } catch (error) {
      this.deps.logger.warn({ err: error, designId: design.id }, 'finalizing failed; queueing it');
      await this.deps.effects.resume(design);
    }
  }
}
