import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database } from '../storage/schema.ts';
import { renderContactSheet } from './contact-sheet.ts';
import type { DesignEffects } from './design-effects.ts';
import type { DesignRow, DesignTransitions } from './design-transitions.ts';
import { PermanentError } from './errors/permanent-error.ts';
import type { DesignEvent } from './machine/design-event.ts';
import type { FailedPhase } from './machine/design-state.ts';
import type { FeatureExtractor } from './ports/feature-extractor.ts';
import type { ImageModel, ReferenceImage } from './ports/image-model.ts';
import { ImageNotFoundError, type ImageStore } from './ports/image-store.ts';
import type { Job, JobAttempt } from './ports/job-queue.ts';
import { productFeaturesSchema, type ProductFeatures } from './product-features.ts';
import { editedFrontPrompt, frontPrompt, variationPrompt, viewPrompt, type PresetId } from './prompts.ts';
import { oneAtATime } from './one-at-a-time.ts';
import { claimView } from './view-claim.ts';
import { viewNames, type RemainingView, type ViewName } from './views.ts';

export type JobDeps = {
  db: Kysely<Database>;
  transitions: DesignTransitions;
  effects: DesignEffects;
  model: ImageModel;
  extractor: FeatureExtractor;
  images: ImageStore;
  clock: Clock;
  logger: Logger;
};

export const imageKeys = {
  front: (designId: string, iteration: number) => `designs/${designId}/front-${iteration}.png`,
  view: (designId: string, round: number, view: ViewName) => `designs/${designId}/r${round}/${view}.png`,
  contactSheet: (designId: string, round: number) => `designs/${designId}/r${round}/contact-sheet.png`,
};

/** The longest a contact sheet waits for the critical-path jobs of this process to finish. */
const sheetYieldMaxMs = 15_000;

const failureMessages: Record<FailedPhase, string> = {
  front: 'The front view could not be generated.',
  views: 'A view could not be generated.',
  finalize: 'The finished design could not be assembled.',
};

/**
 * Runs one phase step per job: read the design, skip if the state has moved on (a job may run twice),
 * call the model, store the image, then commit the transition. A transient error is thrown for the queue
 * to retry; a permanent one, or the last attempt, fails the design and returns its credits.
 */
export class DesignJobs {
  private readonly renderSerially = oneAtATime();
  /** Feature extractions in flight, by design and iteration. */
  private readonly extracting = new Map<string, Promise<ProductFeatures | null>>();
  /** Jobs on someone's critical path (front, view, finalize) running in this process right now. */
  private critical = 0;
  private readonly quiet = new Set<() => void>();
  private yielding = true;

  constructor(private readonly deps: JobDeps) {}

  readonly handle = async (job: Job, attempt: JobAttempt): Promise<void> => {
    if (job.kind === 'contact_sheet' || job.kind === 'expire') return this.run(job, attempt);
    this.critical++;
    try {
      return await this.run(job, attempt);
    } finally {
      this.critical--;
      if (this.critical === 0) for (const wake of [...this.quiet]) wake();
    }
  };

  /** Stops contact sheets waiting for the critical path (shutdown: running jobs should finish now). */
  stopYielding(): void {
    this.yielding = false;
    for (const wake of [...this.quiet]) wake();
  }

  /**
   * Contact sheets are CPU work nobody waits on: one waits until no critical-path job is running in this
   * process, or `sheetYieldMaxMs` at most, so a burst of designs is not slowed down by their sheets.
   */
  private yieldToCriticalPath(): Promise<void> {
    if (this.critical === 0 || !this.yielding) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.quiet.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, sheetYieldMaxMs);
      this.quiet.add(wake);
    });
  }

  private run(job: Job, attempt: JobAttempt): Promise<void> {
    switch (job.kind) {
      case 'front':
        return this.front(job.designId, job.iteration, attempt);
      case 'view':
        if (job.view === 'front') return Promise.resolve();
        return this.view(job.designId, job.view, job.round, attempt);
      case 'finalize':
        return this.finalize(job.designId, job.round, attempt);
      case 'contact_sheet':
        return this.contactSheet(job.designId, job.round, attempt);
      case 'expire':
        return this.expire(job.designId, job.iteration);
    }
  }

  private async front(designId: string, iteration: number, attempt: JobAttempt): Promise<void> {
    const { db, transitions, images } = this.deps;
    const design = await transitions.load(db, designId);
    if (design?.state !== 'generating_front' || design.iteration !== iteration) return;
    const key = imageKeys.front(designId, iteration);
    const png = await this.attempt(
      design,
      'front',
      attempt,
      { type: 'front_failed', iteration },
      async () => {
        const { prompt, references } = await this.frontRequest(design);
        const image = await this.deps.model.generate({
          designId,
          view: 'front',
          prompt,
          productDescription: design.prompt,
          references,
        });
        await images.put(key, image.png);
        return image.png;
      },
    );
    if (!png) return;
    const now = this.deps.clock();
    const result = await transitions.apply(designId, { type: 'front_ready', iteration }, () => ({
      write: async (trx) => {
        await trx
          .updateTable('design_iterations')
          .set({ image_key: key, completed_at: now })
          .where('design_id', '=', designId)
          .where('iteration', '=', iteration)
          .execute();
      },
    }));
    if (!result.ok) return;
    // Shown first: the card is what the person waits for; the expiry job and the features can follow.
    this.deps.effects.changedInBackground(designId);
    // Features while the person looks at the front view, so approving does not wait for them.
    await Promise.all([
      this.deps.effects.resume(result.design, { frontShownAt: now }),
      this.extractFeatures(designId, iteration, design.prompt, png),
    ]);
  }

  private async view(designId: string, view: RemainingView, round: number, attempt: JobAttempt) {
    const { db, transitions, images, clock } = this.deps;
    const claimed = await claimView(db, { designId, view, round, now: clock() });
    if (!claimed) return;
    if (claimed.shown) this.deps.effects.changedInBackground(designId);
    const { design } = claimed;
    const key = imageKeys.view(designId, round, view);
    const stored = await this.attempt(
      design,
      'views',
      attempt,
      { type: 'view_failed' },
      async () => {
        if (!claimed.frontKey)
          throw new PermanentError('invalid_input', 'The approved front view is missing.');
        const front = await images.get(claimed.frontKey);
        const features = await this.approvedFeatures(design, claimed.features, front);
        const image = await this.deps.model.generate({
          designId,
          view,
          prompt: viewPrompt(view, design.prompt, features),
          productDescription: design.prompt,
          references: [{ png: front, role: 'approved_front' }],
        });
        await images.put(key, image.png);
        return image.png;
      },
      view,
    );
    if (!stored) return;
    const now = clock();
    const result = await transitions.apply(
      designId,
      async (trx): Promise<DesignEvent> => {
        // One statement: mark this view done and count the views still not done. The outer query sees
        // the rows as they were before the update, so this view counts only if it was not marked.
        const left = await trx
          .with('marked', (db) =>
            db
              .updateTable('design_views')
              .set({ state: 'done', image_key: key, error: null, finished_at: now })
              .where('design_id', '=', designId)
              .where('view', '=', view)
              .where('round', '=', round)
              .returning('view'),
          )
          .selectFrom('design_views')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('design_id', '=', designId)
          .where('state', '!=', 'done')
          .where((eb) =>
            eb.or([eb('view', '!=', view), eb.not(eb.exists(eb.selectFrom('marked').select('marked.view')))]),
          )
          .executeTakeFirstOrThrow();
        const notDone = Number(left.n);
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
      await this.finalize(design.id, design.round, attempt, design);
    } catch (error) {
      this.deps.logger.warn({ err: error, designId: design.id }, 'finalizing failed; queueing it');
      await this.deps.effects.resume(design);
    }
  }

  /** Records the revision and captures the hold: quick, so completion follows the last view at once. */
  private async finalize(
    designId: string,
    round: number,
    attempt: JobAttempt,
    loaded?: DesignRow,
  ): Promise<void> {
    const { db, transitions } = this.deps;
    const design = loaded ?? (await transitions.load(db, designId));
    if (design?.state !== 'finalizing' || design.round !== round) return;
    const views = await db
      .selectFrom('design_views')
      .select(['view', 'image_key'])
      .where('design_id', '=', designId)
      .execute();
    const keys = Object.fromEntries(views.map((row) => [row.view, row.image_key ?? '']));
    const missing = viewNames.filter((view) => !keys[view]);
    const done = await this.attempt(design, 'finalize', attempt, { type: 'finalize_failed' }, () => {
      if (missing.length > 0)
        throw new PermanentError('invalid_input', `Views without an image: ${missing.join(', ')}.`);
      return Promise.resolve(true);
    });
    if (!done) return;
    const now = this.deps.clock();
    const result = await transitions.apply(designId, { type: 'finalized' }, (row) => ({
      patch: { finished_at: now },
      write: async (trx) => {
        await trx
          .insertInto('revisions')
          .values({
            design_id: designId,
            number: round,
            image_keys: JSON.stringify(keys),
            contact_sheet_key: null,
            charged: row.hold_id === null ? 0 : row.hold_amount,
            approved_by: row.approved_by,
            created_at: now,
          })
          .onConflict((conflict) => conflict.columns(['design_id', 'number']).doNothing())
          .execute();
      },
    }));
    if (!result.ok) return;
    this.deps.effects.changedInBackground(designId);
    // The revision was just written without a sheet (or an earlier run's is there: the job skips it).
    await this.deps.effects.enqueue({ kind: 'contact_sheet', designId, round });
  }

  /**
   * The labelled sheet of all five views, made once the design is complete. A sheet that cannot be made
   * leaves the design complete without one (its views are all there); it is logged, not charged for.
   */
  private async contactSheet(designId: string, round: number, attempt: JobAttempt): Promise<void> {
    const { db, images, clock, logger } = this.deps;
    const revision = await db
      .selectFrom('revisions')
      .innerJoin('designs', 'designs.id', 'revisions.design_id')
      .select(['revisions.image_keys', 'revisions.contact_sheet_key', 'designs.prompt'])
      .where('revisions.design_id', '=', designId)
      .where('revisions.number', '=', round)
      .executeTakeFirst();
    if (!revision || revision.contact_sheet_key !== null) return;
    const sheetKey = imageKeys.contactSheet(designId, round);
    try {
      const pngs = await Promise.all(
        viewNames.map(async (view) => ({ view, png: await images.get(revision.image_keys[view] ?? '') })),
      );
      const sheet = await this.renderSerially(async () => {
        await this.yieldToCriticalPath();
        return renderContactSheet(pngs, { title: revision.prompt });
      });
      await images.put(sheetKey, sheet);
    } catch (error) {
      const last = attempt.number >= attempt.maxAttempts || error instanceof ImageNotFoundError;
      logger[last ? 'error' : 'warn'](
        { err: error, designId, round, attempt: attempt.number },
        last ? 'the contact sheet could not be made; the design stays without one' : 'contact sheet failed',
      );
      if (last) return;
      throw error;
    }
    const now = clock();
    await db
      .with('attached', (db) =>
        db
          .updateTable('revisions')
          .set({ contact_sheet_key: sheetKey })
          .where('design_id', '=', designId)
          .where('number', '=', round)
          .where('contact_sheet_key', 'is', null)
          .returning('design_id'),
      )
      .updateTable('designs')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
      .where('id', 'in', (eb) => eb.selectFrom('attached').select('design_id'))
      .execute();
    this.deps.effects.changedInBackground(designId);
  }

  private async expire(designId: string, iteration: number): Promise<void> {
    const now = this.deps.clock();
    const result = await this.deps.transitions.apply(designId, { type: 'expire', iteration }, () => ({
      patch: { finished_at: now },
    }));
    if (result.ok) this.deps.effects.changedInBackground(designId);
  }

  /**
   * Runs a model step. Returns its result, or undefined once the design has been failed (permanent
   * error, or the last attempt); rethrows a transient error for the queue to retry.
   */
  private async attempt<T>(
    design: DesignRow,
    phase: FailedPhase,
    attempt: JobAttempt,
    failure: DesignEvent,
    step: () => Promise<T>,
    view?: RemainingView,
  ): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      const permanent = error instanceof PermanentError;
      const last = attempt.number >= attempt.maxAttempts;
      const logContext = { err: error, designId: design.id, phase, view, attempt: attempt.number };
      if (!permanent && !last) {
        this.deps.logger.warn(logContext, 'a generation step failed; it will be retried');
        if (view) await this.recordViewError(design.id, view, describe(error), 'generating');
        throw error;
      }
      this.deps.logger.error(logContext, 'a generation step failed for good; the design fails');
      const message = permanent
        ? error.userMessage
        : `${failureMessages[phase]} The service did not answer in time.`;
      const result = await this.deps.transitions.apply(design.id, failure, () => ({
        patch: {
          failure_kind: permanent ? error.kind : 'unavailable',
          failure_message: message,
          failed_phase: phase,
        },
        write: view ? (trx) => this.recordViewError(design.id, view, message, 'failed', trx) : undefined,
      }));
      if (result.ok) this.deps.effects.changedInBackground(design.id);
      return undefined;
    }
  }

  private async frontRequest(design: DesignRow): Promise<{ prompt: string; references: ReferenceImage[] }> {
    const { db, images } = this.deps;
    if (design.iteration === 1) {
      if (design.kind === 'variation' && design.parent_design_id !== null) {
        const parentFront = await this.approvedFront(design.parent_design_id);
        return {
          prompt: variationPrompt(design.prompt),
          references: [{ png: parentFront, role: 'parent_front' }],
        };
      }
      return { prompt: frontPrompt(design.prompt), references: [] };
    }
    const rows = await db
      .selectFrom('design_iterations')
      .select(['iteration', 'preset', 'feedback', 'image_key'])
      .where('design_id', '=', design.id)
      .where('iteration', 'in', [design.iteration - 1, design.iteration])
      .execute();
    const previous = rows.find((row) => row.iteration === design.iteration - 1);
    const current = rows.find((row) => row.iteration === design.iteration);
    if (!previous?.image_key || !current)
      throw new Error(`design ${design.id} edit without its previous front view`);
    const edit =
      current.preset !== null ? { preset: current.preset as PresetId } : { feedback: current.feedback ?? '' };
    return {
      prompt: editedFrontPrompt(design.prompt, edit),
      references: [{ png: await images.get(previous.image_key), role: 'previous_front' }],
    };
  }

  private async approvedFront(designId: string): Promise<Buffer> {
    const row = await this.deps.db
      .selectFrom('design_views')
      .select('image_key')
      .where('design_id', '=', designId)
      .where('view', '=', 'front')
      .where('state', '=', 'done')
      .executeTakeFirst();
    if (!row?.image_key) throw new PermanentError('invalid_input', 'The approved front view is missing.');
    return this.deps.images.get(row.image_key);
  }

  /** Extracted while the front view awaited approval; extracted now if that did not happen (crash, outage). */
  private async approvedFeatures(
    design: DesignRow,
    stored: unknown,
    front: Buffer,
  ): Promise<ProductFeatures | null> {
    const parsed = productFeaturesSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    const running = this.extracting.get(extractionKey(design.id, design.iteration));
    // If that one failed, the views ask once more (together) rather than go without features.
    const shared = running ? await running : null;
    if (shared) return shared;
    // Stored since this job read the design: the extraction finished in between.
    const row = await this.deps.db
      .selectFrom('design_iterations')
      .select('features')
      .where('design_id', '=', design.id)
      .where('iteration', '=', design.iteration)
      .executeTakeFirst();
    const storedSince = productFeaturesSchema.safeParse(row?.features);
    if (storedSince.success) return storedSince.data;
    return this.extractFeatures(design.id, design.iteration, design.prompt, front);
  }

  /**
   * Features make the views consistent but are not essential: a failure is logged, never fatal. One
   * extraction per front view at a time in this process: views approved before the extraction that
   * follows the front view finished wait for it rather than each paying for another.
   */
  private extractFeatures(
    designId: string,
    iteration: number,
    description: string,
    png: Buffer,
  ): Promise<ProductFeatures | null> {
    const key = extractionKey(designId, iteration);
    const running = this.extracting.get(key);
    if (running) return running;
    const extraction = this.extractAndStore(designId, iteration, description, png).finally(() =>
      this.extracting.delete(key),
    );
    this.extracting.set(key, extraction);
    return extraction;
  }

  private async extractAndStore(designId: string, iteration: number, description: string, png: Buffer) {
    try {
      const features = await this.deps.extractor.extract({ png, productDescription: description });
      await this.deps.db
        .updateTable('design_iterations')
        .set({ features: JSON.stringify(features) })
        .where('design_id', '=', designId)
        .where('iteration', '=', iteration)
        .execute();
      return features;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, designId, iteration },
        'feature extraction failed; views use the image only',
      );
      return null;
    }
  }

  private async recordViewError(
    designId: string,
    view: RemainingView,
    error: string,
    state: 'generating' | 'failed',
    db: Kysely<Database> = this.deps.db,
  ): Promise<void> {
    await db
      .updateTable('design_views')
      .set({ state, error, finished_at: state === 'failed' ? this.deps.clock() : null })
      .where('design_id', '=', designId)
      .where('view', '=', view)
      .where('state', '!=', 'done')
      .execute();
  }
}

const extractionKey = (designId: string, iteration: number) => `${designId}:${iteration}`;

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
}
