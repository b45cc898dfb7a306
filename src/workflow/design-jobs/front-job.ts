import { recordCandidatesReady } from '../store/candidate-statements.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { attemptStep } from './attempt-step.ts';
import type { FeatureExtractions } from './feature-extractions.ts';
import { drawFrontCandidates } from './front-candidates.ts';
import { frontRequest } from './front-request.ts';
import type { JobDeps } from './job-deps.ts';

/**
 * front:<design>:<iteration>: generates the front view of one iteration (its N candidates, in parallel)
 * and shows it for approval.
 */
export class FrontJob {
  constructor(
    private readonly deps: JobDeps,
    private readonly features: FeatureExtractions,
  ) {}

  async run(designId: string, iteration: number, attempt: JobAttempt): Promise<void> {
    const { db, transitions, images } = this.deps;
    const design = await transitions.load(db, designId);
    if (design?.state !== 'generating_front' || design.iteration !== iteration) return;
    const drawn = await attemptStep(this.deps, {
      design,
      phase: 'front',
      attempt,
      failure: { type: 'front_failed', iteration },
      step: async () => drawFrontCandidates(this.deps, design, await frontRequest(this.deps, design)),
    });
    if (!drawn) return;
    const now = this.deps.clock();
    const result = await transitions.apply(designId, { type: 'front_ready', iteration }, () => ({
      write: (trx) =>
        recordCandidatesReady(trx, { designId, iteration, candidates: drawn, completedAt: now }),
    }));
    if (!result.ok) return;
    // Shown first: the card is what the person waits for; the expiry job and the features can follow.
    this.deps.effects.changedInBackground(designId);
    // Features while the person looks at the front view, so approving does not wait for them. With
    // several candidates nobody has picked yet: the view jobs extract them from the approved one.
    const only = drawn.length === 1 ? drawn[0] : undefined;
    await Promise.all([
      this.deps.effects.resume(result.design, { frontShownAt: now }),
      only ? this.features.extract(design, only.png ?? (await images.get(only.imageKey))) : undefined,
    ]);
  }
}
