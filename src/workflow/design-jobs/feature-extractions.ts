import { findStoredFeatures, storeFeatures } from '../store/design-statements.ts';
import type { DesignRow } from '../design-transitions.ts';
import { productFeaturesSchema, type ProductFeatures } from '../product-features.ts';
import type { JobDeps } from './job-deps.ts';
import { meteredCall } from './metered-call.ts';

/**
 * Features make the views consistent but are not essential: a failure is logged, never fatal. One
 * extraction per front view at a time in this process: views approved before the extraction that
 * follows the front view finished wait for it rather than each paying for another.
 */
export class FeatureExtractions {
  /** Feature extractions in flight, by design and iteration. */
  private readonly extracting = new Map<string, Promise<ProductFeatures | null>>();

  constructor(private readonly deps: Pick<JobDeps, 'db' | 'extractor' | 'logger' | 'calls' | 'clock'>) {}

  /**
   * Extracts and stores the features of a design's current front view, or joins the extraction of it
   * already running.
   */
  extract(design: DesignRow, png: Buffer): Promise<ProductFeatures | null> {
    const key = extractionKey(design.id, design.iteration);
    const running = this.extracting.get(key);
    if (running) return running;
    const extraction = this.extractAndStore(design, png).finally(() => this.extracting.delete(key));
    this.extracting.set(key, extraction);
    return extraction;
  }

  /** Extracted while the front view awaited approval; extracted now if that did not happen (crash, outage). */
  async ofApprovedFront(design: DesignRow, stored: unknown, front: Buffer): Promise<ProductFeatures | null> {
    const parsed = productFeaturesSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    const running = this.extracting.get(extractionKey(design.id, design.iteration));
    // If that one failed, the views ask once more (together) rather than go without features.
    const shared = running ? await running : null;
    if (shared) return shared;
    // Stored since this job read the design: the extraction finished in between.
    const storedSince = productFeaturesSchema.safeParse(
      await findStoredFeatures(this.deps.db, design.id, design.iteration),
    );
    if (storedSince.success) return storedSince.data;
    return this.extract(design, front);
  }

  private async extractAndStore(design: DesignRow, png: Buffer) {
    const { extractor } = this.deps;
    const { id: designId, iteration } = design;
    try {
      const { features } = await meteredCall(
        this.deps,
        { provider: extractor.name, model: extractor.model, purpose: 'features', design, images: () => 0 },
        () => extractor.extract({ png, productDescription: design.prompt }),
      );
      await storeFeatures(this.deps.db, { designId, iteration, features });
      return features;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, designId, iteration },
        'feature extraction failed; views use the image only',
      );
      return null;
    }
  }
}

const extractionKey = (designId: string, iteration: number) => `${designId}:${iteration}`;
