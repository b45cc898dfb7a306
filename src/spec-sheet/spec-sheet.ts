import type { IterationChange } from '../workflow/design-summary.ts';
import type { ProductFeatures } from '../workflow/product-features.ts';
import type { ViewName } from '../workflow/views.ts';

/** What asked for one iteration: the first is the original prompt, later ones a quick edit or feedback. */
export type SpecSheetIteration = {
  number: number;
  change: IterationChange;
  /** Display name of whoever asked for it, when known. */
  requestedBy?: string | undefined;
};

/** A finished design, everything its one-page spec sheet shows. */
export type SpecSheet = {
  designId: string;
  /** The product's short name, e.g. the prompt's short form. */
  title: string;
  prompt: string;
  /** PNG (or any image sharp reads) per view; a missing view leaves a labelled placeholder. */
  views: Partial<Record<ViewName, Buffer>>;
  /**
   * What the feature extractor read off the approved front view. Extraction can fail or answer in part,
   * so any field, or the whole, may be missing.
   */
  features?: Partial<ProductFeatures> | null | undefined;
  iterations: readonly SpecSheetIteration[];
  approval?: { approvedBy: string; approvedAt: Date } | null | undefined;
  costCredits: number;
  /** The date the sheet is for, usually when the design completed. */
  date: Date;
};
