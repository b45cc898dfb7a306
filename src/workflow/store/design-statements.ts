import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../storage/compiled-once.ts';
import type { Database } from '../../storage/schema.ts';
import type { RemainingView, ViewName } from '../views.ts';

/*
 * The jobs' statements (as ledger-statements.ts is the ledger's): what the jobs write beside a transition
 * (front and view images, revisions, contact sheets, features, view errors) and what recovery, effects and
 * the card notifier read to re-queue or re-show a design. Each write runs inside the compare-and-set
 * transition it belongs to or is guarded on its own (a revision inserted once, a sheet attached once, a
 * done view never given an error), so a job that runs twice, or two workers at once, never doubles an
 * effect. A transaction passes itself as `db`. The rest of the workflow's SQL is beside this file in
 * store/: the view claim, the transitions, creation, commands, admission, the snapshot, chat posts and a
 * workspace's designs.
 */

type Executor = Kysely<Database>;

/** The current and the previous iteration of a design being edited: the edit asked for and the image to edit. */
export async function findEditIterations(db: Executor, designId: string, iteration: number) {
  return db
    .selectFrom('design_iterations')
    .select(['iteration', 'preset', 'feedback', 'image_key'])
    .where('design_id', '=', designId)
    .where('iteration', 'in', [iteration - 1, iteration])
    .execute();
}

/** The image of a design's approved front view (a variation's parent), if it has one. */
export async function findApprovedFrontKey(
  db: Executor,
  designId: string,
): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('design_views')
    .select('image_key')
    .where('design_id', '=', designId)
    .where('view', '=', 'front')
    .where('state', '=', 'done')
    .executeTakeFirst();
  return row?.image_key;
}

/** The features stored for a front iteration, unparsed; undefined when there is no such iteration. */
export async function findStoredFeatures(
  db: Executor,
  designId: string,
  iteration: number,
): Promise<unknown> {
  const row = await db
    .selectFrom('design_iterations')
    .select('features')
    .where('design_id', '=', designId)
    .where('iteration', '=', iteration)
    .executeTakeFirst();
  return row?.features;
}

export async function storeFeatures(
  db: Executor,
  extracted: { designId: string; iteration: number; features: unknown },
): Promise<void> {
  await db
    .updateTable('design_iterations')
    .set({ features: JSON.stringify(extracted.features) })
    .where('design_id', '=', extracted.designId)
    .where('iteration', '=', extracted.iteration)
    .execute();
}

/**
 * Marks a view done and returns how many of the design's views are still not done, in one statement.
 * Decided inside the view's transition: only the last view moves the design on.
 */
export async function markViewDone(
  db: Executor,
  done: { designId: string; view: RemainingView; round: number; imageKey: string; now: Date },
): Promise<number> {
  const [left] = await markViewDoneOnce(db, done);
  if (!left) throw new Error(`counting the views of design ${done.designId} returned no row`);
  return Number(left.n);
}

// One statement: mark this view done and count the views still not done. The outer query sees
// the rows as they were before the update, so this view counts only if it was not marked.
const markViewDoneOnce = compiledOnce(
  { designId: 'string', view: 'string', round: 'number', imageKey: 'string', now: 'date' },
  (db, { designId, view: named, round, imageKey, now }) => {
    const view = named as RemainingView;
    return db
      .with('marked', (db) =>
        db
          .updateTable('design_views')
          .set({ state: 'done', image_key: imageKey, error: null, finished_at: now })
          .where('design_id', '=', designId)
          .where('view', '=', view)
          .where('round', '=', round)
          .returning('view'),
      )
      .selectFrom('design_views')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('design_id', '=', designId)
      .where('state', '!=', 'done')
      .where((eb) =>
        eb.or([eb('view', '!=', view), eb.not(eb.exists(eb.selectFrom('marked').select('marked.view')))]),
      );
  },
);

/** Shows a view's error on its row: still generating (a retry follows) or failed; a done view keeps its image. */
export async function recordViewError(
  db: Executor,
  failed: {
    designId: string;
    view: RemainingView;
    error: string;
    state: 'generating' | 'failed';
    finishedAt: Date | null;
  },
): Promise<void> {
  await db
    .updateTable('design_views')
    .set({ state: failed.state, error: failed.error, finished_at: failed.finishedAt })
    .where('design_id', '=', failed.designId)
    .where('view', '=', failed.view)
    .where('state', '!=', 'done')
    .execute();
}

/** Every view of a design with its image key (null until it is done). */
export async function listViewImages(db: Executor, designId: string) {
  return db
    .selectFrom('design_views')
    .select(['view', 'image_key'])
    .where('design_id', '=', designId)
    .execute();
}

/** The views of a design not done yet (the ones a resumed design queues again). */
export async function listUnfinishedViews(db: Executor, designId: string): Promise<ViewName[]> {
  const views = await db
    .selectFrom('design_views')
    .select('view')
    .where('design_id', '=', designId)
    .where('state', '!=', 'done')
    .execute();
  return views.map(({ view }) => view);
}

/** Records a finished round; a second run of finalize finds the revision there and writes nothing. */
export async function insertRevision(
  db: Executor,
  revision: {
    designId: string;
    number: number;
    imageKeys: Record<string, string>;
    charged: number;
    approvedBy: string | null;
    createdAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('revisions')
    .values({
      design_id: revision.designId,
      number: revision.number,
      image_keys: JSON.stringify(revision.imageKeys),
      contact_sheet_key: null,
      spec_sheet_key: null,
      charged: revision.charged,
      approved_by: revision.approvedBy,
      created_at: revision.createdAt,
    })
    .onConflict((conflict) => conflict.columns(['design_id', 'number']).doNothing())
    .execute();
}

/**
 * What a round's sheets are made of: the revision's images, the sheets it has already, and the design's
 * prompt.
 */
export async function findRevisionForSheet(db: Executor, designId: string, round: number) {
  return db
    .selectFrom('revisions')
    .innerJoin('designs', 'designs.id', 'revisions.design_id')
    .select([
      'revisions.image_keys',
      'revisions.contact_sheet_key',
      'revisions.spec_sheet_key',
      'designs.prompt',
    ])
    .where('revisions.design_id', '=', designId)
    .where('revisions.number', '=', round)
    .executeTakeFirst();
}

/** Whether a completed round's revision is still without its contact sheet. */
export async function lacksContactSheet(db: Executor, designId: string, round: number): Promise<boolean> {
  const sheetless = await db
    .selectFrom('revisions')
    .select('number')
    .where('design_id', '=', designId)
    .where('number', '=', round)
    .where('contact_sheet_key', 'is', null)
    .executeTakeFirst();
  return sheetless !== undefined;
}

/**
 * Attaches a round's sheets (either may be null: it could not be made) to its revision where it has none
 * yet, and bumps the design's version (cards show them), in one statement: sheets made twice are attached,
 * and shown, once, and a sheet attached before is never replaced.
 */
export async function attachSheets(
  db: Executor,
  sheets: {
    designId: string;
    round: number;
    contactSheetKey: string | null;
    specSheetKey: string | null;
    now: Date;
  },
): Promise<void> {
  const { contactSheetKey, specSheetKey } = sheets;
  if (contactSheetKey === null && specSheetKey === null) return;
  await db
    .with('attached', (db) =>
      db
        .updateTable('revisions')
        .set((eb) => ({
          contact_sheet_key: eb.fn.coalesce('contact_sheet_key', eb.val(contactSheetKey)),
          spec_sheet_key: eb.fn.coalesce('spec_sheet_key', eb.val(specSheetKey)),
        }))
        .where('design_id', '=', sheets.designId)
        .where('number', '=', sheets.round)
        .where((eb) =>
          eb.or([
            ...(contactSheetKey === null ? [] : [eb('contact_sheet_key', 'is', null)]),
            ...(specSheetKey === null ? [] : [eb('spec_sheet_key', 'is', null)]),
          ]),
        )
        .returning('design_id'),
    )
    .updateTable('designs')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: sheets.now }))
    .where('id', 'in', (eb) => eb.selectFrom('attached').select('design_id'))
    .execute();
}

/** When the current front iteration's image was stored; null or undefined when it was not. */
export async function findFrontStoredAt(
  db: Executor,
  designId: string,
  iteration: number,
): Promise<Date | null | undefined> {
  const front = await db
    .selectFrom('design_iterations')
    .select('completed_at')
    .where('design_id', '=', designId)
    .where('iteration', '=', iteration)
    .executeTakeFirst();
  return front?.completed_at;
}

/** Every design with a next step to take, least recently changed first (see resumeUnfinishedDesigns). */
export async function findUnfinishedDesigns(db: Executor) {
  return db
    .selectFrom('designs')
    .select(['id', 'state', 'iteration', 'round'])
    .where((eb) =>
      eb.or([
        eb('state', 'in', ['generating_front', 'awaiting_approval', 'generating_views', 'finalizing']),
        // Complete, but its contact sheet was never made (a crash right after completion).
        eb.and([
          eb('state', '=', 'completed'),
          eb.exists(
            eb
              .selectFrom('revisions')
              .select('revisions.number')
              .whereRef('revisions.design_id', '=', 'designs.id')
              .whereRef('revisions.number', '=', 'designs.round')
              .where('revisions.contact_sheet_key', 'is', null),
          ),
        ]),
      ]),
    )
    .orderBy('updated_at')
    .execute();
}

/** Designs changed 15 s to 1 h ago whose card was not shown their last change (see reshowStaleCards). */
export async function findStaleCardDesigns(db: Executor): Promise<string[]> {
  const stale = await db
    .selectFrom('designs')
    .select('id')
    .where('shown_version', 'is not', null)
    .whereRef('shown_version', '<', 'version')
    .where('updated_at', '<', sql<Date>`now() - interval '15 seconds'`)
    .where('updated_at', '>', sql<Date>`now() - interval '1 hour'`)
    .limit(500)
    .execute();
  return stale.map(({ id }) => id);
}

/** A design's version as committed now, if it exists. */
export async function findDesignVersion(db: Executor, designId: string): Promise<number | undefined> {
  const row = await db.selectFrom('designs').select('version').where('id', '=', designId).executeTakeFirst();
  return row?.version;
}
