import { productFeaturesSchema } from '../product-features.ts';
import { viewNames } from '../views.ts';
import { imageKeys } from './image-keys.ts';
import type { JobDeps } from './job-deps.ts';
import type { OffPathRender } from './off-path-render.ts';
import type { SheetRenders } from './sheet-renders.ts';
import type { ViewReader } from './sheet-views.ts';

/**
 * Renders and stores a round's contact sheet (all five views labelled, with the features) and returns its
 * key. A view missing from the store throws ImageNotFoundError: the sheet can never be made.
 */
export async function makeContactSheet(
  deps: JobDeps,
  render: OffPathRender,
  renders: Pick<SheetRenders, 'contactSheet'>,
  views: ViewReader,
  revision: { designId: string; round: number; prompt: string; imageKeys: Record<string, string> },
): Promise<string> {
  const { db, images } = deps;
  const sheet = await render(async () => {
    // Read once its turn has come: a queue of sheets holds no images.
    const [pngs, stored] = await Promise.all([
      Promise.all(
        viewNames.map(async (view) => ({ view, png: await views.get(revision.imageKeys[view] ?? '') })),
      ),
      approvedFrontFeatures(db, revision.designId),
    ]);
    // Without features (their extraction failed) the sheet shows the views only.
    const features = productFeaturesSchema.safeParse(stored).data ?? null;
    return renders.contactSheet(pngs, { title: revision.prompt, features });
  });
  const key = imageKeys.contactSheet(revision.designId, revision.round);
  await images.put(key, sheet);
  return key;
}

/** The features stored for the design's current (approved) front iteration, unparsed. */
async function approvedFrontFeatures(db: JobDeps['db'], designId: string): Promise<unknown> {
  const row = await db
    .selectFrom('designs')
    .innerJoin('design_iterations', (join) =>
      join
        .onRef('design_iterations.design_id', '=', 'designs.id')
        .onRef('design_iterations.iteration', '=', 'designs.iteration'),
    )
    .select('design_iterations.features')
    .where('designs.id', '=', designId)
    .executeTakeFirst();
  return row?.features;
}
