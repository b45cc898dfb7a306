import { sql, type Kysely } from 'kysely';
import { compiledOnce } from '../../storage/compiled-once.ts';
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
/** Fewer samples than this say too little about a workspace's model and prompts to promise a time. */
const minimumSamples = 5;

/**
 * While a phase generates: the recent median of that phase in the design's workspace (front views of its
 * newest 20 designs, first ones counted from leaving the line; or approval to completion of its newest 20
 * completed designs), null with fewer than 5 samples. Part of the snapshot's one round trip: a card is
 * read after every change, and a second query would let a fast front view overtake its own "started".
 */
const typicalPhaseSeconds = sql<number | null>`case
  when designs.state = 'generating_front' then (
    select case when count(*) >= ${minimumSamples} then percentile_cont(0.5) within group (order by
             extract(epoch from i.completed_at - greatest(i.created_at, coalesce(r.admitted_at, i.created_at)))::float8)
           end
    from (select d.id, d.admitted_at from designs d where d.workspace_id = designs.workspace_id
          order by d.created_at desc limit 20) r
    join design_iterations i on i.design_id = r.id
    where i.completed_at is not null)
  when designs.state = 'generating_views' and designs.round = 1 then (
    select case when count(*) >= ${minimumSamples} then percentile_cont(0.5) within group (order by
             extract(epoch from v.finished_at - v.approved_at)::float8)
           end
    from (select d.approved_at, d.finished_at from designs d
          where d.workspace_id = designs.workspace_id and d.state = 'completed' and d.round = 1
            and d.approved_at is not null and d.finished_at is not null
          order by d.created_at desc limit 20) v)
end`;

export async function findSnapshotRow(db: Kysely<Database>, designId: string) {
  return (await snapshotRowOnce(db, { designId }))[0];
}

const snapshotRowOnce = compiledOnce({ designId: 'string' }, (db, { designId }) =>
  db
    .selectFrom('designs')
    .leftJoin('credit_holds', 'credit_holds.id', 'designs.hold_id')
    .innerJoin('workspaces', 'workspaces.id', 'designs.workspace_id')
    .selectAll('designs')
    .select(['credit_holds.status as hold_status', 'credit_holds.expires_at as hold_expires_at'])
    .select(['workspaces.approver_group', 'workspaces.requesters_approve', 'workspaces.approval_notices'])
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
      jsonArrayFrom(
        eb
          .selectFrom('front_candidates')
          .select(['front_candidates.iteration', 'front_candidates.candidate', 'front_candidates.image_key'])
          .whereRef('front_candidates.design_id', '=', 'designs.id')
          .orderBy('front_candidates.iteration')
          .orderBy('front_candidates.candidate'),
      ).as('candidate_rows'),
      jsonObjectFrom(
        eb
          .selectFrom('revisions')
          .select([
            'revisions.number',
            'revisions.image_keys',
            'revisions.contact_sheet_key',
            'revisions.spec_sheet_key',
          ])
          .whereRef('revisions.design_id', '=', 'designs.id')
          .orderBy('revisions.number', 'desc')
          .limit(1),
      ).as('revision'),
      typicalPhaseSeconds.as('typical_seconds'),
      eb
        .exists(
          eb
            .selectFrom('design_links')
            .select('design_links.design_id')
            .whereRef('design_links.design_id', '=', 'designs.id')
            .where('design_links.revoked_at', 'is not', null),
        )
        .as('page_links_revoked'),
      jsonObjectFrom(
        eb
          .selectFrom('budget_notices')
          .select(['level', 'month', 'spent_microusd', 'cap_cents'])
          .whereRef('budget_notices.design_id', '=', 'designs.id')
          .orderBy('level', 'desc')
          .limit(1),
      ).as('budget_notice'),
    ])
    .where('designs.id', '=', designId),
);
