import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import { viewNames } from '../views.ts';

/*
 * The statements that make a design (DesignService.start and startVariation): the parent a variation is
 * drawn from, the design with its first iteration and views, its hold, and the design an earlier delivery
 * of the same request made. They run inside the creation's transaction (which passes itself as `db`),
 * except the reads made before it.
 */

type Executor = Kysely<Database>;

/** A design's prompt and workspace with the state of its front view (a variation's parent). */
export async function findVariationParent(db: Executor, designId: string) {
  return db
    .selectFrom('designs')
    .innerJoin('design_views', 'design_views.design_id', 'designs.id')
    .select(['designs.prompt', 'designs.workspace_id', 'design_views.state'])
    .where('designs.id', '=', designId)
    .where('design_views.view', '=', 'front')
    .executeTakeFirst();
}

/** One statement for the design, its first iteration and its five pending views; returns its id. */
export async function insertDesign(
  trx: Executor,
  design: {
    workspaceId: string;
    requesterId: string;
    prompt: string;
    kind: 'design' | 'variation';
    parentDesignId: string | null;
    basePrice: number;
    editPrice: number;
    /** Front-view candidates per round (1-4). */
    candidates: number;
    /** What the first iteration holds: the base price and every extra candidate. */
    holdAmount: number;
    requestKey: string | null;
    surface: Record<string, unknown>;
    /** The stored input image (a sketch or photo) the design starts from, if any. */
    inputImageKey?: string | null | undefined;
    now: Date;
  },
): Promise<{ id: string }> {
  const { now } = design;
  return trx
    .with('created', (db) =>
      db
        .insertInto('designs')
        .values({
          workspace_id: design.workspaceId,
          requester_id: design.requesterId,
          prompt: design.prompt,
          kind: design.kind,
          parent_design_id: design.parentDesignId,
          state: 'queued',
          base_price: design.basePrice,
          edit_price: design.editPrice,
          candidates: design.candidates,
          hold_amount: design.holdAmount,
          request_key: design.requestKey,
          surface: JSON.stringify(design.surface),
          input_image_key: design.inputImageKey ?? null,
          created_at: now,
          updated_at: now,
        })
        .returning('id'),
    )
    .with('first_iteration', (db) =>
      db
        .insertInto('design_iterations')
        .columns(['design_id', 'iteration', 'requested_by', 'created_at'])
        .expression(sql`select id, 1, ${design.requesterId}, ${now} from created`),
    )
    .with('pending_views', (db) =>
      db
        .insertInto('design_views')
        .columns(['design_id', 'view', 'state'])
        .expression(
          sql`select created.id, names.view, 'pending' from created cross join unnest(${sql.val([...viewNames])}::text[]) as names(view)`,
        ),
    )
    .selectFrom('created')
    .select('created.id')
    .executeTakeFirstOrThrow();
}

/** Records the hold a new design reserved. */
export async function setDesignHold(trx: Executor, designId: string, holdId: string): Promise<void> {
  await trx.updateTable('designs').set({ hold_id: holdId }).where('id', '=', designId).execute();
}

/** The design a workspace made for a platform request id, if any (a redelivered command). */
export async function findDesignIdByRequestKey(
  db: Executor,
  workspaceId: string,
  requestKey: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('designs')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('request_key', '=', requestKey)
    .executeTakeFirst();
  return row?.id;
}
