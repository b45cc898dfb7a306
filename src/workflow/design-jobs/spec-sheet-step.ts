import { loadSnapshot } from '../design-snapshot.ts';
import { designSpecSheet } from '../design-spec-sheet.ts';
import { imageKeys } from './image-keys.ts';
import type { JobDeps } from './job-deps.ts';
import type { OffPathRender } from './off-path-render.ts';
import type { SheetRenders } from './sheet-renders.ts';
import type { ViewReader } from './sheet-views.ts';

/**
 * Renders and stores a completed round's spec sheet, the PNG for its thread and the PDF its design page
 * offers (so that the download is never rendered on request), and returns the PNG's key; null when the
 * design has moved on to another round, whose views this round's sheet must not show.
 */
export async function makeSpecSheet(
  deps: JobDeps,
  render: OffPathRender,
  renders: Pick<SheetRenders, 'specSheetPng' | 'specSheetPdf'>,
  views: ViewReader,
  designId: string,
  round: number,
): Promise<string | null> {
  const { db, images } = deps;
  const design = await loadSnapshot(db, designId);
  if (design?.state !== 'completed' || design.round !== round) return null;
  // Read once its first turn has come (a queue of sheets holds no images), then kept for the second.
  let reading: ReturnType<typeof designSpecSheet> | undefined;
  const sheet = () => (reading ??= designSpecSheet(views, design));
  // Two renders, each waiting its turn: a critical-path job may run between them.
  const png = await render(async () => renders.specSheetPng(await sheet()));
  const pdf = await render(async () => renders.specSheetPdf(await sheet()));
  const key = imageKeys.specSheetPng(designId, round);
  await Promise.all([images.put(imageKeys.specSheetPdf(designId, round), pdf), images.put(key, png)]);
  return key;
}
