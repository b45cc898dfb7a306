import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/** Ids in buttons can be forged: a design is only acted on from the workspace it belongs to. */
export async function designBelongsTo(
  db: Kysely<Database>,
  designId: string,
  workspaceId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('designs')
    .select('id')
    .where('id', '=', designId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row !== undefined;
}
