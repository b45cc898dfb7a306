import type { Kysely, Selectable, Updateable } from 'kysely';
import { compiledOnce } from '../../storage/compiled-once.ts';
import type { Database, DesignsTable, DesignState } from '../../storage/schema.ts';

/*
 * The statements of a design's transition (DesignTransitions.apply): read the design with its workspace's
 * approval policy, compare-and-set its row, and write what settling its credits changed. The transaction,
 * the lock's place in it and the retries belong to DesignTransitions; a transaction passes itself as `db`.
 */

type Executor = Kysely<Database>;

export type DesignRow = Selectable<DesignsTable> & {
  approver_group: string | null;
  requesters_approve: boolean | null;
  /** The candidate picked in the current iteration (null before a pick). */
  picked: number | null;
};

function selectDesign(db: Executor, designId: string) {
  return db
    .selectFrom('designs')
    .innerJoin('workspaces', 'workspaces.id', 'designs.workspace_id')
    .selectAll('designs')
    .select(['workspaces.approver_group', 'workspaces.requesters_approve'])
    .select((eb) =>
      eb
        .selectFrom('design_iterations')
        .select('design_iterations.picked')
        .whereRef('design_iterations.design_id', '=', 'designs.id')
        .whereRef('design_iterations.iteration', '=', 'designs.iteration')
        .as('picked'),
    )
    .where('designs.id', '=', designId);
}

const selectDesignOnce = compiledOnce({ designId: 'string' }, (db, { designId }) =>
  selectDesign(db, designId),
);
const lockDesignOnce = compiledOnce({ designId: 'string' }, (db, { designId }) =>
  selectDesign(db, designId).forNoKeyUpdate('designs'),
);

/** A design with its workspace's approver group, as committed now. */
export async function findDesign(db: Executor, designId: string): Promise<DesignRow | undefined> {
  return (await selectDesignOnce(db, { designId }))[0];
}

/**
 * The same read, locking the design's row until the transaction ends (FOR NO KEY UPDATE of `designs`
 * only: the workspace row is not locked). Call inside a transaction.
 */
export async function lockDesign(trx: Executor, designId: string): Promise<DesignRow | undefined> {
  return (await lockDesignOnce(trx, { designId }))[0];
}

/**
 * Moves a design to its next state and iteration with `patch`, bumping its version, only if its state,
 * iteration and version are still the ones `expected` read; undefined when they are not.
 */
export async function compareAndSetDesign(
  trx: Executor,
  move: {
    designId: string;
    expected: { state: DesignState; iteration: number; version: number };
    patch: Updateable<DesignsTable> | undefined;
    next: { state: DesignState; iteration: number; updatedAt: Date };
  },
): Promise<Selectable<DesignsTable> | undefined> {
  const { designId, expected, patch, next } = move;
  return trx
    .updateTable('designs')
    .set({
      ...patch,
      state: next.state,
      iteration: next.iteration,
      version: expected.version + 1,
      updated_at: next.updatedAt,
    })
    .where('id', '=', designId)
    .where('state', '=', expected.state)
    .where('iteration', '=', expected.iteration)
    .where('version', '=', expected.version)
    .returningAll()
    .executeTakeFirst();
}

/** Writes what settling a transition's credits changed on the design (its hold, what it charged). */
export async function recordSettlement(
  trx: Executor,
  designId: string,
  settled: Updateable<DesignsTable>,
): Promise<Selectable<DesignsTable>> {
  return trx
    .updateTable('designs')
    .set(settled)
    .where('id', '=', designId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
