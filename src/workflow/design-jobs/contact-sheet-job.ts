import { renderContactSheet } from '../contact-sheet.ts';
import { productFeaturesSchema } from '../product-features.ts';
import { attachContactSheet, findRevisionForSheet } from '../store/design-statements.ts';
import { oneAtATime } from '../one-at-a-time.ts';
import { ImageNotFoundError } from '../ports/image-store.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { viewNames } from '../views.ts';
import type { CriticalPathGate } from './critical-path-gate.ts';
import { imageKeys } from './image-keys.ts';
import type { JobDeps } from './job-deps.ts';

/**
 * sheet:<design>: the labelled sheet of all five views, made once the design is complete. A sheet that
 * cannot be made leaves the design complete without one (its views are all there); it is logged, not
 * charged for.
 */
export class ContactSheetJob {
  private readonly renderSerially = oneAtATime();

  constructor(
    private readonly deps: JobDeps,
    private readonly gate: CriticalPathGate,
  ) {}

  async run(designId: string, round: number, attempt: JobAttempt): Promise<void> {
    const { db, images, clock, logger } = this.deps;
    const revision = await findRevisionForSheet(db, designId, round);
    if (!revision || revision.contact_sheet_key !== null) return;
    const sheetKey = imageKeys.contactSheet(designId, round);
    try {
      const [pngs, stored] = await Promise.all([
        Promise.all(
          viewNames.map(async (view) => ({ view, png: await images.get(revision.image_keys[view] ?? '') })),
        ),
        approvedFrontFeatures(db, designId),
      ]);
      // Without features (their extraction failed) the sheet shows the views only.
      const features = productFeaturesSchema.safeParse(stored).data ?? null;
      const sheet = await this.renderSerially(async () => {
        await this.gate.yieldToCriticalPath();
        return renderContactSheet(pngs, { title: revision.prompt, features });
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
    await attachContactSheet(db, { designId, round, sheetKey, now: clock() });
    this.deps.effects.changedInBackground(designId);
  }
}

/** The features stored for the design's current (approved) front iteration, unparsed. */
async function approvedFrontFeatures(db: JobDeps['db'], designId: string): Promise<unknown> {
  const row = await db
    .selectFrom('designs')
    .innerJoin('design_iterations', (join) =>
      join
        .onRef('design_iterations.design_id', '=', 'designs.id')
        .onRef('design_iterations.iteration', '=', 'designs.iteration'),
    )
    .select('design_iterations.features')
    .where('designs.id', '=', designId)
    .executeTakeFirst();
  return row?.features;
}
