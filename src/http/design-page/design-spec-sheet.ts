import { renderSpecSheetPdf, type SpecSheet, type SpecSheetIteration } from '../../spec-sheet/index.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';
import type { ViewName } from '../../workflow/views.ts';
import { designPageModel } from './design-page-model.ts';

/** Where a design's spec sheet PDF is kept once rendered: per round, since "Edit view" redraws a view. */
export function specSheetKey(design: DesignSnapshot): string {
  return `designs/${design.id}/r${design.round}/spec-sheet.pdf`;
}

/**
 * The spec sheet PDF of a completed design: read from the image store when rendered before, otherwise
 * rendered from the stored views and features and kept there, so it is rendered once per round.
 */
export async function designSpecSheetPdf(images: ImageStore, design: DesignSnapshot): Promise<Buffer> {
  const key = specSheetKey(design);
  try {
    return await images.get(key);
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
  }
  const pdf = await renderSpecSheetPdf(await specSheetOf(images, design));
  // Two requests at once may both render; the second put writes the same sheet again, which is harmless.
  await images.put(key, pdf);
  return pdf;
}

async function specSheetOf(images: ImageStore, design: DesignSnapshot): Promise<SpecSheet> {
  const model = designPageModel(design);
  const views: Partial<Record<ViewName, Buffer>> = {};
  await Promise.all(
    model.views.map(async ({ view, image }) => {
      if (!image) return;
      // A missing image leaves the sheet's labelled placeholder rather than no sheet at all.
      const png = await images.get(image.key).catch((error: unknown) => {
        if (error instanceof ImageNotFoundError) return undefined;
        throw error;
      });
      if (png) views[view] = png;
    }),
  );
  return {
    designId: design.id,
    title: model.prompt.split('\n')[0]?.trim() || 'Untitled design',
    prompt: design.prompt,
    views,
    features: model.features,
    iterations: model.iterations.map((iteration): SpecSheetIteration => ({
      number: iteration.number,
      change: iteration.change,
      requestedBy: iteration.requestedBy,
    })),
    approval: model.approval ? { approvedBy: model.approval.by, approvedAt: model.approval.at } : null,
    costCredits: design.charged,
    date: design.finishedAt ?? design.updatedAt,
  };
}
