import type { ViewName } from '../views.ts';

export type ReferenceImage = { png: Buffer; role: 'previous_front' | 'approved_front' | 'parent_front' };

export type ImageRequest = {
  designId: string;
  view: ViewName;
  /** The full instruction for the model, built by src/workflow/prompts.ts. */
  prompt: string;
  /** The user's own product description, e.g. for an offline renderer's colours. */
  productDescription: string;
  references: ReferenceImage[];
  signal?: AbortSignal | undefined;
};

export type GeneratedImage = { png: Buffer; model: string };

/**
 * Generates one view. Throws TransientError for what a retry may fix and PermanentError for what it
 * cannot (blocked by safety filters, no image in the answer, invalid input).
 */
export interface ImageModel {
  readonly name: string;
  generate(request: ImageRequest): Promise<GeneratedImage>;
}
