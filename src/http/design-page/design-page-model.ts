import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { summarizeDesign, type IterationChange } from '../../workflow/design-summary.ts';
import type { ProductFeatures } from '../../workflow/product-features.ts';
import type { ViewName } from '../../workflow/views.ts';

/** One image of the page: the store key it is read from, and the path on the page (under the design). */
export type PageImage = { key: string; file: string };

export type PageIteration = {
  number: number;
  /** "Original prompt", "Quick edit: More minimal", or the feedback text. */
  change: IterationChange;
  requestedBy: string;
  before: PageImage | null;
  after: PageImage | null;
};

/** Everything the design page shows, read off the snapshot; the HTML is a pure function of this. */
export type DesignPageModel = {
  id: string;
  prompt: string;
  state: DesignSnapshot['state'];
  requesterId: string;
  views: { view: ViewName; image: PageImage | null }[];
  iterations: PageIteration[];
  features: ProductFeatures | null;
  approval: { by: string; at: Date } | null;
  charged: number;
  held: number;
  createdAt: Date;
  finishedAt: Date | null;
  specSheet: boolean;
};

export function designPageModel(design: DesignSnapshot): DesignPageModel {
  const image = (key: string | null | undefined) => pageImage(design.id, key);
  const summary = summarizeDesign(design);
  const fronts = summary.iterations.map((iteration) => image(iteration.imageKey));
  return {
    id: design.id,
    prompt: design.prompt,
    state: design.state,
    requesterId: design.requesterId,
    views: summary.views.map(({ view, imageKey }) => ({ view, image: image(imageKey) })),
    iterations: summary.iterations.map((iteration, index) => ({
      number: iteration.number,
      change: iteration.change,
      requestedBy: iteration.requestedBy,
      before: index === 0 ? null : (fronts[index - 1] ?? null),
      after: fronts[index] ?? null,
    })),
    features: summary.features,
    approval: summary.approval,
    charged: design.charged,
    held: design.held,
    createdAt: design.createdAt,
    finishedAt: design.finishedAt,
    specSheet: design.state === 'completed',
  };
}

/** Every image key the page may show: the image route serves these and nothing else. */
export function pageImages(model: DesignPageModel): PageImage[] {
  return [
    ...model.views.flatMap((view) => (view.image ? [view.image] : [])),
    ...model.iterations.flatMap((iteration) => (iteration.after ? [iteration.after] : [])),
  ];
}

function pageImage(designId: string, key: string | null | undefined): PageImage | null {
  const prefix = `designs/${designId}/`;
  // Keys outside the design's folder are never linked: the image route resolves files under it only.
  if (!key?.startsWith(prefix)) return null;
  return { key, file: key.slice(prefix.length) };
}
