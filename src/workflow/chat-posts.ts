import { sql, type Kysely } from 'kysely';
import type { Platform } from '../platform.ts';
import type { Database } from '../storage/schema.ts';

/**
 * Where a design's card is, and the messages a platform has posted for it beyond its card. Posting is claim → post → record: a
 * claim that loses means someone else posts it; a failed post releases its claim so the next change
 * tries again.
 */
/** A claim without a message ref this old was left by a process that died mid-post: it may be taken over. */
const abandonedAfter = sql`interval '2 minutes'`;

export class ChatPosts {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records where a design's card was posted (`surface.<platform>.<field>`, e.g. Slack's ts) exactly
   * once: a second poster, which should not exist, never overwrites the first.
   */
  async recordCard(
    designId: string,
    location: { platform: Platform; field: string; value: string },
  ): Promise<boolean> {
    const { platform, field, value } = location;
    const result = await this.db
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

  /** The card (and thread) now show `version` of the design: the reconciler need not re-show it. */
  async shown(designId: string, version: number): Promise<void> {
    await this.db
      .updateTable('designs')
      .set({ shown_version: sql<number>`greatest(coalesce(shown_version, 0), ${version})` })
      .where('id', '=', designId)
      .execute();
  }

  /** Every claimed key of a design with its message ref (null while the post is in flight). */
  async list(designId: string): Promise<Map<string, string | null>> {
    const rows = await this.db
      .selectFrom('chat_posts')
      .select(['key', 'message_ref'])
      .where('design_id', '=', designId)
      .where((eb) =>
        eb.or([
          eb('message_ref', 'is not', null),
          eb('claimed_at', '>', sql<Date>`now() - ${abandonedAfter}`),
        ]),
      )
      .execute();
    return new Map(rows.map((row) => [row.key, row.message_ref]));
  }

  async claim(designId: string, key: string): Promise<boolean> {
    const inserted = await this.db
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

  async record(designId: string, key: string, messageRef: string): Promise<void> {
    await this.db
      .updateTable('chat_posts')
      .set({ message_ref: messageRef })
      .where('design_id', '=', designId)
      .where('key', '=', key)
      .execute();
  }

  async release(designId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('chat_posts')
      .where('design_id', '=', designId)
      .where('key', '=', key)
      .where('message_ref', 'is', null)
      .execute();
  }

  /**
   * Claim, post, record: returns the new message ref, or null when someone else holds the claim. A
   * failed post gives its claim back so the next change tries again.
   */
  async once(designId: string, key: string, post: () => Promise<string>): Promise<string | null> {
    if (!(await this.claim(designId, key))) return null;
    let ref: string;
    try {
      ref = await post();
    } catch (error) {
      await this.release(designId, key);
      throw error;
    }
    await this.record(designId, key, ref);
    return ref;
  }
}
