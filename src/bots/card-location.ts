import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/**
 * Records where a design's card was posted (`surface.<platform>.<field>`, e.g. Slack's ts) exactly
 * once: a second poster, which should not exist, never overwrites the first.
 */
export async function recordCardLocation(
  db: Kysely<Database>,
  designId: string,
  location: { platform: 'slack' | 'discord'; field: string; value: string },
): Promise<boolean> {
  const { platform, field, value } = location;
  const result = await db
    .updateTable('designs')
    .set({
      surface: sql`jsonb_set(surface, ${sql.val(`{${platform},${field}}`)}::text[], to_jsonb(${value}::text))`,
    })
    .where('id', '=', designId)
    .where(sql<boolean>`surface->${platform} ? 'channelId'`)
    .where(sql<boolean>`not (surface->${platform} ? ${field})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
