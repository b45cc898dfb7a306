import type { ViewName } from '../views.ts';
import type { TokenUsage } from './model-usage.ts';

/**
 * An image sent with the prompt: the front view an edit, a variation or another view builds on, or the
 * sketch or photo a new design starts from (`input_image`, first front view only).
 */
export type ReferenceImage = {
  png: Buffer;
  role: 'previous_front' | 'approved_front' | 'parent_front' | 'input_image';
};

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

export type GeneratedImage = {
  png: Buffer;
  /** The model as the answer names it (Gemini's modelVersion), else as configured. */
  model: string;
  /** When the answer reports it; without it a call is priced by its image count. */
  usage?: TokenUsage | undefined;
};

/**
 * Generates one view. Throws TransientError for what a retry may fix and PermanentError for what it
 * cannot (blocked by safety filters, no image in the answer, invalid input).
 */
export interface ImageModel {
  /** The provider: 'gemini', 'offline'. */
  readonly name: string;
  /** The model asked for, as configured (what a failed call is recorded under). */
  readonly model: string;
  generate(request: ImageRequest): Promise<GeneratedImage>;
}
