import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import type { ProductFeatures } from '../../workflow/product-features.ts';
import { findPreset } from '../../workflow/prompts.ts';
import { viewNames, type ViewName } from '../../workflow/views.ts';

/** One image of the page: the store key it is read from, and the path on the page (under the design). */
export type PageImage = { key: string; file: string };

export type PageIteration = {
  number: number;
  /** "Original prompt", "Quick edit: More minimal", or the feedback text. */
  change: { kind: 'original' } | { kind: 'preset'; label: string } | { kind: 'feedback'; text: string };
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
  const viewKeys = new Map(design.views.map((view) => [view.view, view.imageKey]));
  const fronts = design.iterations.map((iteration) => image(iteration.imageKey));
  const approved = design.iterations.find((iteration) => iteration.iteration === design.iteration);
  return {
    id: design.id,
    prompt: design.prompt,
    state: design.state,
    requesterId: design.requesterId,
    views: viewNames.map((view) => ({
      view,
      image: image(viewKeys.get(view) ?? design.revision?.imageKeys[view] ?? null),
    })),
    iterations: design.iterations.map((iteration, index) => ({
      number: iteration.iteration,
      change: changeOf(iteration.preset, iteration.feedback, index),
      requestedBy: iteration.requestedBy,
      before: index === 0 ? null : (fronts[index - 1] ?? null),
      after: fronts[index] ?? null,
    })),
    features:
      approved?.features ?? [...design.iterations].reverse().find((i) => i.features)?.features ?? null,
    approval:
      design.approvedBy !== null && design.approvedAt !== null
        ? { by: design.approvedBy, at: design.approvedAt }
        : null,
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

function changeOf(preset: string | null, feedback: string | null, index: number): PageIteration['change'] {
  if (preset !== null) return { kind: 'preset', label: findPreset(preset)?.label ?? preset };
  if (feedback !== null) return { kind: 'feedback', text: feedback };
  return index === 0 ? { kind: 'original' } : { kind: 'feedback', text: '' };
}

function pageImage(designId: string, key: string | null | undefined): PageImage | null {
  const prefix = `designs/${designId}/`;
  // Keys outside the design's folder are never linked: the image route resolves files under it only.
  if (!key?.startsWith(prefix)) return null;
  return { key, file: key.slice(prefix.length) };
}
