import { renderSpecSheetPdf } from '../../spec-sheet/index.ts';
import { imageKeys } from '../../workflow/design-jobs/image-keys.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { designSpecSheet } from '../../workflow/design-spec-sheet.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';

/**
 * The spec sheet PDF of a completed design: the one the sheet job stored at completion, or, for a design
 * completed before the job made one (or whose sheet failed), rendered now and kept, so once per round.
 */
export async function designSpecSheetPdf(images: ImageStore, design: DesignSnapshot): Promise<Buffer> {
  const key = imageKeys.specSheetPdf(design.id, design.round);
  try {
    return await images.get(key);
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
  }
  const pdf = await renderSpecSheetPdf(await designSpecSheet(images, design));
  // Two requests at once may both render; the second put writes the same sheet again, which is harmless.
  await images.put(key, pdf);
  return pdf;
}
