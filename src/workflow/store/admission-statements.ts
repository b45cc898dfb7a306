import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { generatingStates, type MachineState } from '../machine/design-state.ts';

/*
 * The statements of the line in front of the image model (DesignAdmission, placeInLine): the workspace
 * lock that serialises admissions, what waits and what generates, the compare-and-set that admits, and a
 * waiting design's place. Admission runs them inside its transaction, which passes itself as `db`.
 */

type Executor = Kysely<Database>;

/**
 * Serialises admissions and new designs of one workspace (held until the transaction ends). `no key
 * update`, not `update`: a new design takes it after inserting its rows, whose foreign keys hold a key
 * share lock on the same workspace row, which `for update` would conflict with (two new designs would
 * deadlock); `no key update` excludes only itself and other updates of the row.
 */
export async function lockWorkspace(trx: Executor, workspaceId: string): Promise<void> {
  await sql`select 1 from workspaces where id = ${workspaceId} for no key update`.execute(trx);
}

/** A workspace's waiting designs, oldest first (at most 500). */
export async function listWaitingDesigns(trx: Executor, workspaceId: string) {
  return trx
    .selectFrom('designs')
    .select(['id', 'requester_id as requesterId', 'state', 'iteration'])
    .where('workspace_id', '=', workspaceId)
    .where('state', '=', 'queued')
    .orderBy('created_at')
    .orderBy('id')
    .limit(500)
    .execute();
}

/** How many designs each requester has generating in a workspace (a count as Postgres returns it). */
export async function countGeneratingByRequester(trx: Executor, workspaceId: string) {
  return trx
    .selectFrom('designs')
    .select(['requester_id', (eb) => eb.fn.countAll<string>().as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('state', 'in', generatingStates)
    .groupBy('requester_id')
    .execute();
}

/** Moves the chosen designs that are still `queued` to `next`; `queued` in the where clause is the CAS. */
export async function admitDesigns(
  trx: Executor,
  admission: { designIds: readonly string[]; next: MachineState; now: Date },
): Promise<{ id: string; iteration: number }[]> {
  const { designIds, next, now } = admission;
  return trx
    .updateTable('designs')
    .set((eb) => ({
      state: next,
      admitted_at: now,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', 'in', designIds)
    .where('state', '=', 'queued')
    .returning(['id', 'iteration'])
    .execute();
}

/** Every workspace with a design waiting in line. */
export async function listWorkspacesWithLine(db: Executor): Promise<string[]> {
  const workspaces = await db
    .selectFrom('designs')
    .select('workspace_id')
    .distinct()
    .where('state', '=', 'queued')
    .execute();
  return workspaces.map(({ workspace_id: workspaceId }) => workspaceId);
}

/** Bumps the version of the first `limit` waiting designs of a workspace; returns their ids. */
export async function bumpWaitingDesigns(
  db: Executor,
  workspaceId: string,
  limit: number,
): Promise<string[]> {
  const bumped = await db
    .updateTable('designs')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where(
      'id',
      'in',
      db
        .selectFrom('designs')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('state', '=', 'queued')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit),
    )
    .where('state', '=', 'queued')
    .returning('id')
    .execute();
  return bumped.map(({ id }) => id);
}

/**
 * In one round trip: how many designs wait ahead of this one, how many generate, and the average
 * seconds (as text, null without a history) of the workspace's last `sampleSize` first front views.
 */
export async function findLineStanding(
  db: Executor,
  design: { id: string; workspaceId: string; createdAt: Date },
  sampleSize: number,
) {
  return db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('designs')
        .select(eb.fn.countAll<string>().as('n'))
        .where('workspace_id', '=', design.workspaceId)
        .where('state', '=', 'queued')
        .where(sql<boolean>`(created_at, id) < (${design.createdAt}, ${design.id})`)
        .as('ahead'),
      eb
        .selectFrom('designs')
        .select(eb.fn.countAll<string>().as('n'))
        .where('workspace_id', '=', design.workspaceId)
        .where('state', 'in', generatingStates)
        .as('generating'),
      // How long recent first front views took once admitted (edits never wait in line).
      eb
        .selectFrom(
          eb
            .selectFrom('designs')
            .innerJoin('design_iterations', (join) =>
              join
                .onRef('design_iterations.design_id', '=', 'designs.id')
                .on('design_iterations.iteration', '=', 1),
            )
            .select(
              sql<number>`extract(epoch from design_iterations.completed_at - designs.admitted_at)`.as(
                'seconds',
              ),
            )
            .where('designs.workspace_id', '=', design.workspaceId)
            .where('designs.admitted_at', 'is not', null)
            .where('design_iterations.completed_at', 'is not', null)
            .orderBy('design_iterations.completed_at', 'desc')
            .limit(sampleSize)
            .as('recent'),
        )
        .select(sql<string | null>`avg(recent.seconds)`.as('s'))
        .as('typical'),
    ])
    .executeTakeFirstOrThrow();
}
