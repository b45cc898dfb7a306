import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../platform.ts';
import type { Database } from '../../storage/schema.ts';

/*
 * The statements of ChatPosts: where a design's card is (designs.surface), which version the card shows
 * (designs.shown_version), and the claims of the messages posted beyond the card (chat_posts).
 */

type Executor = Kysely<Database>;

/** A claim without a message ref this old was left by a process that died mid-post: it may be taken over. */
const abandonedAfter = sql`interval '2 minutes'`;

/**
 * Sets `surface.<platform>.<field>` only where the platform's place has a channel and not that field yet;
 * whether it was set.
 */
export async function recordCardField(
  db: Executor,
  designId: string,
  location: { platform: Platform; field: string; value: string },
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

/** Raises the version a design's card shows; never lowers it. */
export async function raiseShownVersion(db: Executor, designId: string, version: number): Promise<void> {
  await db
    .updateTable('designs')
    .set({ shown_version: sql<number>`greatest(coalesce(shown_version, 0), ${version})` })
    .where('id', '=', designId)
    .execute();
}

/** A design's posted claims and those still fresh, with their message refs (null while in flight). */
export async function listLiveClaims(db: Executor, designId: string) {
  return db
    .selectFrom('chat_posts')
    .select(['key', 'message_ref'])
    .where('design_id', '=', designId)
    .where((eb) =>
      eb.or([eb('message_ref', 'is not', null), eb('claimed_at', '>', sql<Date>`now() - ${abandonedAfter}`)]),
    )
    .execute();
}

/** Claims a key, or takes over an abandoned claim; whether this caller now holds it. */
export async function insertClaim(db: Executor, designId: string, key: string): Promise<boolean> {
  const inserted = await db
    .insertInto('chat_posts')
    .values({ design_id: designId, key })
    .onConflict((conflict) =>
      conflict
        .columns(['design_id', 'key'])
        .doUpdateSet({ claimed_at: sql`now()` })
        .where('chat_posts.message_ref', 'is', null)
        .where('chat_posts.claimed_at', '<', sql<Date>`now() - ${abandonedAfter}`),
    )
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function recordMessageRef(
  db: Executor,
  designId: string,
  key: string,
  messageRef: string,
): Promise<void> {
  await db
    .updateTable('chat_posts')
    .set({ message_ref: messageRef })
    .where('design_id', '=', designId)
    .where('key', '=', key)
    .execute();
}

/** Gives back a claim whose message was never recorded. */
export async function deleteUnpostedClaim(db: Executor, designId: string, key: string): Promise<void> {
  await db
    .deleteFrom('chat_posts')
    .where('design_id', '=', designId)
    .where('key', '=', key)
    .where('message_ref', 'is', null)
    .execute();
}
