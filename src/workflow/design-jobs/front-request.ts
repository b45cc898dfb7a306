import { findApprovedFrontKey, findEditIterations } from '../store/design-statements.ts';
import type { DesignRow } from '../design-transitions.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import type { ReferenceImage } from '../ports/image-model.ts';
import {
  editedFrontPrompt,
  frontPrompt,
  sketchFrontPrompt,
  variationPrompt,
  type PresetId,
} from '../prompts.ts';
import type { JobDeps } from './job-deps.ts';

export type FrontRequest = { prompt: string; references: ReferenceImage[] };

/**
 * What the image model is asked for a design's current front view: a new design's from its description,
 * a variation's from its parent's approved front view, an edit's from the previous front view. A design
 * started from an image sends it with its first front view only: every later step builds on a front view.
 */
export async function frontRequest(
  deps: Pick<JobDeps, 'db' | 'images'>,
  design: DesignRow,
): Promise<FrontRequest> {
  const { db, images } = deps;
  if (design.iteration === 1) {
    if (design.kind === 'variation' && design.parent_design_id !== null) {
      const parentFront = await approvedFront(deps, design.parent_design_id);
      return {
        prompt: variationPrompt(design.prompt),
        references: [{ png: parentFront, role: 'parent_front' }],
      };
    }
    if (design.input_image_key !== null)
      return {
        prompt: sketchFrontPrompt(design.prompt),
        references: [{ png: await images.get(design.input_image_key), role: 'input_image' }],
      };
    return { prompt: frontPrompt(design.prompt), references: [] };
  }
  const rows = await findEditIterations(db, design.id, design.iteration);
  const previous = rows.find((row) => row.iteration === design.iteration - 1);
  const current = rows.find((row) => row.iteration === design.iteration);
  if (!previous?.image_key || !current)
    throw new Error(`design ${design.id} edit without its previous front view`);
  const edit =
    current.preset !== null ? { preset: current.preset as PresetId } : { feedback: current.feedback ?? '' };
  return {
    prompt: editedFrontPrompt(design.prompt, edit),
    references: [{ png: await images.get(previous.image_key), role: 'previous_front' }],
  };
}

async function approvedFront(deps: Pick<JobDeps, 'db' | 'images'>, designId: string): Promise<Buffer> {
  const imageKey = await findApprovedFrontKey(deps.db, designId);
  if (!imageKey) throw new PermanentError('invalid_input', 'The approved front view is missing.');
  return deps.images.get(imageKey);
}
