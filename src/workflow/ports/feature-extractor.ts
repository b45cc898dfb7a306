import type { ProductFeatures } from '../product-features.ts';
import type { TokenUsage } from './model-usage.ts';

export type FeatureRequest = { png: Buffer; productDescription: string; signal?: AbortSignal | undefined };

/** Reads colours, materials, dimensions and key elements off a front view, so other views stay consistent. */
export interface FeatureExtractor {
  /** The provider: 'openai', 'offline'. */
  readonly name: string;
  /** The model asked for, as configured. */
  readonly model: string;
  extract(request: FeatureRequest): Promise<ExtractedFeatures>;
}

export type ExtractedFeatures = {
  features: ProductFeatures;
  /** As the answer names it, else as configured. */
  model: string;
  usage?: TokenUsage | undefined;
};
