import type { SpecSheet } from '../spec-sheet/index.ts';
import type { DesignSnapshot } from './design-snapshot.ts';
import { summarizeDesign } from './design-summary.ts';
import { ImageNotFoundError, type ImageStore } from './ports/image-store.ts';
import type { ViewName } from './views.ts';

/**
 * What a design's spec sheet shows, from its snapshot and its stored views. The sheet job (the PNG, at
 * completion) and the design page (the PDF, on its first download) both use it.
 */
export async function designSpecSheet(
  images: Pick<ImageStore, 'get'>,
  design: DesignSnapshot,
): Promise<SpecSheet> {
  const summary = summarizeDesign(design);
  const views: Partial<Record<ViewName, Buffer>> = {};
  await Promise.all(
    summary.views.map(async ({ view, imageKey }) => {
      if (!imageKey) return;
      // A missing image leaves the sheet's labelled placeholder rather than no sheet at all.
      const png = await images.get(imageKey).catch((error: unknown) => {
        if (error instanceof ImageNotFoundError) return undefined;
        throw error;
      });
      if (png) views[view] = png;
    }),
  );
  return {
    designId: design.id,
    title: design.prompt.split('\n')[0]?.trim() || 'Untitled design',
    prompt: design.prompt,
    views,
    features: summary.features,
    iterations: summary.iterations.map(({ number, change, requestedBy }) => ({
      number,
      change,
      requestedBy,
    })),
    approval: summary.approval ? { approvedBy: summary.approval.by, approvedAt: summary.approval.at } : null,
    costCredits: design.charged,
    date: design.finishedAt ?? design.updatedAt,
  };
}
