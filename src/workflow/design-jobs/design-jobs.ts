import type { Job, JobAttempt } from '../ports/job-queue.ts';
import { CriticalPathGate } from './critical-path-gate.ts';
import { ExpireJob } from './expire-job.ts';
import { FeatureExtractions } from './feature-extractions.ts';
import { FinalizeJob } from './finalize-job.ts';
import { FrontJob } from './front-job.ts';
import type { JobDeps } from './job-deps.ts';
import { SheetJob } from './sheet-job.ts';
import { ViewJob } from './view-job.ts';

/**
 * Runs one phase step per job: read the design, skip if the state has moved on (a job may run twice),
 * call the model, store the image, then commit the transition. A transient error is thrown for the queue
 * to retry; a permanent one, or the last attempt, fails the design and returns its credits
 * (attempt-step.ts). Each kind of job is a file of this folder; this class hands a job to its kind.
 */
export class DesignJobs {
  private readonly gate = new CriticalPathGate();
  private readonly front: FrontJob;
  private readonly view: ViewJob;
  private readonly finalize: FinalizeJob;
  private readonly sheet: SheetJob;
  private readonly expire: ExpireJob;

  constructor(jobDeps: JobDeps) {
    // The jobs' model calls tell the gate when a job only waits on the network.
    const deps = { ...jobDeps, criticalPath: this.gate };
    // Shared by the front job, which starts the extraction, and the view jobs, which may wait for it.
    const features = new FeatureExtractions(deps);
    this.finalize = new FinalizeJob(deps);
    this.front = new FrontJob(deps, features);
    this.view = new ViewJob(deps, features, this.finalize);
    this.sheet = new SheetJob(deps, this.gate);
    this.expire = new ExpireJob(deps);
  }

  readonly handle = async (job: Job, attempt: JobAttempt): Promise<void> => {
    if (job.kind === 'contact_sheet' || job.kind === 'expire') return this.run(job, attempt);
    return this.gate.whileCritical(() => this.run(job, attempt));
  };

  /** Stops sheets waiting for the critical path (shutdown: running jobs should finish now). */
  stopYielding(): void {
    this.gate.stopYielding();
  }

  private run(job: Job, attempt: JobAttempt): Promise<void> {
    switch (job.kind) {
      case 'front':
        return this.front.run(job.designId, job.iteration, attempt);
      case 'view':
        if (job.view === 'front') return Promise.resolve();
        return this.view.run(job.designId, job.view, job.round, attempt);
      case 'finalize':
        return this.finalize.run(job.designId, job.round, attempt);
      case 'contact_sheet':
        return this.sheet.run(job.designId, job.round, attempt);
      case 'expire':
        return this.expire.run(job.designId, job.iteration);
    }
  }
}
