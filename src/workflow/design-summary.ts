import type { DesignSnapshot } from './design-snapshot.ts';
import type { ProductFeatures } from './product-features.ts';
import { findPreset } from './prompts.ts';
import { viewNames, type ViewName } from './views.ts';

/** What asked for one iteration: the first is the original prompt, later ones a quick edit or feedback. */
export type IterationChange =
  { kind: 'original' } | { kind: 'preset'; label: string } | { kind: 'feedback'; text: string };

/**
 * A design's record as its design page and its spec sheet both show it: the five views, what each
 * iteration asked for, the features and who approved. Read off the snapshot, so the two cannot disagree.
 */
export type DesignSummary = {
  views: { view: ViewName; imageKey: string | null }[];
  iterations: { number: number; change: IterationChange; requestedBy: string; imageKey: string | null }[];
  features: ProductFeatures | null;
  approval: { by: string; at: Date } | null;
};

export function summarizeDesign(design: DesignSnapshot): DesignSummary {
  const viewKeys = new Map(design.views.map((view) => [view.view, view.imageKey]));
  const approved = design.iterations.find((iteration) => iteration.iteration === design.iteration);
  return {
    views: viewNames.map((view) => ({
      view,
      imageKey: viewKeys.get(view) ?? design.revision?.imageKeys[view] ?? null,
    })),
    iterations: design.iterations.map((iteration, index) => ({
      number: iteration.iteration,
      change: changeOf(iteration.preset, iteration.feedback, index),
      requestedBy: iteration.requestedBy,
      imageKey: iteration.imageKey,
    })),
    // The approved front's features; an extraction that failed there leaves the latest that succeeded.
    features:
      approved?.features ?? [...design.iterations].reverse().find((i) => i.features)?.features ?? null,
    approval:
      design.approvedBy !== null && design.approvedAt !== null
        ? { by: design.approvedBy, at: design.approvedAt }
        : null,
  };
}

function changeOf(preset: string | null, feedback: string | null, index: number): IterationChange {
  if (preset !== null) return { kind: 'preset', label: findPreset(preset)?.label ?? preset };
  if (feedback !== null) return { kind: 'feedback', text: feedback };
  return index === 0 ? { kind: 'original' } : { kind: 'feedback', text: '' };
}
