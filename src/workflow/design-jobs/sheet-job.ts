import { attachSheets, findRevisionForSheet } from '../store/design-statements.ts';
import { ImageNotFoundError } from '../ports/image-store.ts';
import type { JobAttempt } from '../ports/job-queue.ts';
import { makeContactSheet } from './contact-sheet-step.ts';
import type { CriticalPathGate } from './critical-path-gate.ts';
import type { JobDeps } from './job-deps.ts';
import { offPathRender, type OffPathRender } from './off-path-render.ts';
import { sheetRenders, type SheetRenders } from './sheet-renders.ts';
import { sheetViews } from './sheet-views.ts';
import { makeSpecSheet } from './spec-sheet-step.ts';

/**
 * sheet:<design>: once a round is complete, its contact sheet (all five views labelled) and its spec sheet
 * (the PNG for the thread; the design page draws its PDF when first asked), attached to the revision in
 * one statement, so the thread gets both in one update and a crash between them cannot leave one never
 * made. A sheet that cannot be made leaves the design complete without it (its views are all there); it
 * is logged, not charged for.
 */
export class SheetJob {
  private readonly render: OffPathRender;
  /** The process's sheet process draws (sheet-renders.ts). */
  private readonly renders: SheetRenders = sheetRenders;

  constructor(
    private readonly deps: JobDeps,
    gate: CriticalPathGate,
  ) {
    this.render = offPathRender(gate);
  }

  async run(designId: string, round: number, attempt: JobAttempt): Promise<void> {
    const { db, clock } = this.deps;
    const revision = await findRevisionForSheet(db, designId, round);
    // A contact sheet on the revision: an earlier run attached this round's sheets (the reconciler only
    // re-queues rounds without one, so a spec sheet that could not be made is not tried again forever).
    if (!revision || revision.contact_sheet_key !== null) return;
    // Read and shrunk once for both sheets, when the first render's turn comes.
    const views = sheetViews(this.deps.images, this.renders);
    const contactSheetKey = await this.tolerated('contact sheet', designId, round, attempt, () =>
      makeContactSheet(this.deps, this.render, this.renders, views, {
        designId,
        round,
        prompt: revision.prompt,
        imageKeys: revision.image_keys,
      }),
    );
    // Attached on an earlier run whose contact sheet could not be made: not rendered again.
    const specSheetKey =
      revision.spec_sheet_key === null
        ? await this.tolerated('spec sheet', designId, round, attempt, () =>
            makeSpecSheet(this.deps, this.render, this.renders, views, designId, round),
          )
        : null;
    if (contactSheetKey === null && specSheetKey === null) return;
    await attachSheets(db, { designId, round, contactSheetKey, specSheetKey, now: clock() });
    this.deps.effects.changedInBackground(designId);
  }

  /**
   * The sheet's key; null when it cannot be made, which is logged. Thrown (the job is retried) while
   * attempts are left; a missing view image is final at once.
   */
  private async tolerated(
    sheet: string,
    designId: string,
    round: number,
    attempt: JobAttempt,
    make: () => Promise<string | null>,
  ): Promise<string | null> {
    try {
      return await make();
    } catch (error) {
      const last = attempt.number >= attempt.maxAttempts || error instanceof ImageNotFoundError;
      this.deps.logger[last ? 'error' : 'warn'](
        { err: error, designId, round, attempt: attempt.number },
        last ? `the ${sheet} could not be made; the design stays without one` : `${sheet} failed`,
      );
      if (last) return null;
      throw error;
    }
  }
}
