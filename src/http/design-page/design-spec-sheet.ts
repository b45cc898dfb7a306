import { imageKeys } from '../../workflow/design-jobs/image-keys.ts';
import { sheetRenders } from '../../workflow/design-jobs/sheet-renders.ts';
import type { DesignSnapshot } from '../../workflow/design-snapshot.ts';
import { designSpecSheet } from '../../workflow/design-spec-sheet.ts';
import { ImageNotFoundError, type ImageStore } from '../../workflow/ports/image-store.ts';

/**
 * The spec sheet PDF of a completed design: drawn the first time it is asked for and kept, so once per
 * round (the sheet job makes only the PNG its thread shows: most PDFs are never downloaded). Drawn by the
 * sheet process (sheet-renders.ts), at the lowest CPU priority and off this process's event loop, which
 * receives the chat platforms' requests.
 */
export async function designSpecSheetPdf(images: ImageStore, design: DesignSnapshot): Promise<Buffer> {
  const key = imageKeys.specSheetPdf(design.id, design.round);
  try {
    return await images.get(key);
  } catch (error) {
    if (!(error instanceof ImageNotFoundError)) throw error;
  }
  const pdf = await sheetRenders.specSheetPdf(await designSpecSheet(images, design));
  // Two requests at once may both draw it; the second put writes the same sheet again, which is harmless.
  await images.put(key, pdf);
  return pdf;
}
