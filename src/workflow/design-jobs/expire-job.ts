import type { JobDeps } from './job-deps.ts';

/**
 * expire:<design>:<iteration>: a front view that waited for approval longer than the hold's TTL expires
 * (its credits return). The transition refuses if the design moved on (approved, edited, cancelled).
 */
export class ExpireJob {
  constructor(private readonly deps: JobDeps) {}

  async run(designId: string, iteration: number): Promise<void> {
    const now = this.deps.clock();
    const result = await this.deps.transitions.apply(designId, { type: 'expire', iteration }, () => ({
      patch: { finished_at: now },
    }));
    if (result.ok) this.deps.effects.changedInBackground(designId);
  }
}
