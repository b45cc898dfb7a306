import { loadSnapshot } from '../design-snapshot.ts';
import { designSpecSheet } from '../design-spec-sheet.ts';
import { imageKeys } from './image-keys.ts';
import type { JobDeps } from './job-deps.ts';
import type { OffPathRender } from './off-path-render.ts';
import type { SheetRenders } from './sheet-renders.ts';
import type { ViewReader } from './sheet-views.ts';

/**
 * Renders and stores a completed round's spec sheet PNG, for its thread, and returns its key; null when
 * the design has moved on to another round, whose views this round's sheet must not show. The PDF the
 * design page offers is drawn when it is first asked for (design-spec-sheet.ts): most designs' PDFs are
 * never downloaded, and drawing one cost about a sixth of a design's sheet CPU (docs/performance.md).
 */
export async function makeSpecSheet(
  deps: JobDeps,
  render: OffPathRender,
  renders: Pick<SheetRenders, 'specSheetPng'>,
  views: ViewReader,
  designId: string,
  round: number,
): Promise<string | null> {
  const { db, images } = deps;
  const design = await loadSnapshot(db, designId);
  if (design?.state !== 'completed' || design.round !== round) return null;
  // Its views are read once its turn has come: a queue of sheets holds no images.
  const png = await render(async () => renders.specSheetPng(await designSpecSheet(views, design)));
  const key = imageKeys.specSheetPng(designId, round);
  await images.put(key, png);
  return key;
}
