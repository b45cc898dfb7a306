import { recordFrontImage } from '../store/design-statements.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { attemptStep } from './attempt-step.ts';
import type { FeatureExtractions } from './feature-extractions.ts';
import { frontRequest } from './front-request.ts';
import { imageKeys } from './image-keys.ts';
import { meteredCall } from './metered-call.ts';
import type { JobDeps } from './job-deps.ts';

/** front:<design>:<iteration>: generates the front view of one iteration and shows it for approval. */
export class FrontJob {
  constructor(
    private readonly deps: JobDeps,
    private readonly features: FeatureExtractions,
  ) {}

  async run(designId: string, iteration: number, attempt: JobAttempt): Promise<void> {
    const { db, transitions, images } = this.deps;
    const design = await transitions.load(db, designId);
    if (design?.state !== 'generating_front' || design.iteration !== iteration) return;
    const key = imageKeys.front(designId, iteration);
    const png = await attemptStep(this.deps, {
      design,
      phase: 'front',
      attempt,
      failure: { type: 'front_failed', iteration },
      step: async () => {
        const { prompt, references } = await frontRequest(this.deps, design);
        const { model } = this.deps;
        const purpose = design.iteration === 1 ? 'front' : 'edit';
        const image = await meteredCall(
          this.deps,
          { provider: model.name, model: model.model, purpose, design, images: () => 1 },
          () =>
            model.generate({
              designId,
              view: 'front',
              prompt,
              productDescription: design.prompt,
              references,
            }),
        );
        await images.put(key, image.png);
        return image.png;
      },
    });
    if (!png) return;
    const now = this.deps.clock();
    const result = await transitions.apply(designId, { type: 'front_ready', iteration }, () => ({
      write: (trx) => recordFrontImage(trx, { designId, iteration, imageKey: key, completedAt: now }),
    }));
    if (!result.ok) return;
    // Shown first: the card is what the person waits for; the expiry job and the features can follow.
    this.deps.effects.changedInBackground(designId);
    // Features while the person looks at the front view, so approving does not wait for them.
    await Promise.all([
      this.deps.effects.resume(result.design, { frontShownAt: now }),
      this.features.extract(design, png),
    ]);
  }
}
