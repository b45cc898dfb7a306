import type { ProductFeatures } from '../product-features.ts';

export type FeatureRequest = { png: Buffer; productDescription: string; signal?: AbortSignal | undefined };

/** Reads colours, materials, dimensions and key elements off a front view, so other views stay consistent. */
export interface FeatureExtractor {
  readonly name: string;
  extract(request: FeatureRequest): Promise<ProductFeatures>;
}
