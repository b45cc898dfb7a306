import type { Kysely } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../storage/schema.ts';

/*
 * The read behind a design's snapshot (loadSnapshot), which every card is a pure function of. A waiting
 * design's place in line is the admission's statement (findLineStanding).
 */

/**
 * A design with its hold's status and expiry, its iterations and views (nested as JSON, so their
 * timestamps arrive as ISO strings) and its latest revision, in one statement.
 */
export async function findSnapshotRow(db: Kysely<Database>, designId: string) {
  return db
    .selectFrom('designs')
    .leftJoin('credit_holds', 'credit_holds.id', 'designs.hold_id')
    .selectAll('designs')
    .select(['credit_holds.status as hold_status', 'credit_holds.expires_at as hold_expires_at'])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('design_iterations')
          .selectAll('design_iterations')
          .whereRef('design_iterations.design_id', '=', 'designs.id')
          .orderBy('design_iterations.iteration'),
      ).as('iteration_rows'),
      jsonArrayFrom(
        eb
          .selectFrom('design_views')
          .selectAll('design_views')
          .whereRef('design_views.design_id', '=', 'designs.id'),
      ).as('view_rows'),
      jsonObjectFrom(
        eb
          .selectFrom('revisions')
          .select(['revisions.number', 'revisions.image_keys', 'revisions.contact_sheet_key'])
          .whereRef('revisions.design_id', '=', 'designs.id')
          .orderBy('revisions.number', 'desc')
          .limit(1),
      ).as('revision'),
    ])
    .where('designs.id', '=', designId)
    .executeTakeFirst();
}
