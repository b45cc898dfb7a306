import type { Kysely } from 'kysely';
import type { Platform } from '../platform.ts';
import type { Database } from '../storage/schema.ts';
import {
  deleteUnpostedClaim,
  insertClaim,
  listLiveClaims,
  raiseShownVersion,
  recordCardField,
  recordMessageRef,
} from './store/chat-post-statements.ts';

/**
 * Where a design's card is, and the messages a platform has posted for it beyond its card. Posting is claim → post → record: a
 * claim that loses means someone else posts it; a failed post releases its claim so the next change
 * tries again.
 */
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
    return recordCardField(this.db, designId, location);
  }

  /** The card (and thread) now show `version` of the design: the reconciler need not re-show it. */
  async shown(designId: string, version: number): Promise<void> {
    await raiseShownVersion(this.db, designId, version);
  }

  /** Every claimed key of a design with its message ref (null while the post is in flight). */
  async list(designId: string): Promise<Map<string, string | null>> {
    const rows = await listLiveClaims(this.db, designId);
    return new Map(rows.map((row) => [row.key, row.message_ref]));
  }

  async claim(designId: string, key: string): Promise<boolean> {
    return insertClaim(this.db, designId, key);
  }

  async record(designId: string, key: string, messageRef: string): Promise<void> {
    await recordMessageRef(this.db, designId, key, messageRef);
  }

  async release(designId: string, key: string): Promise<void> {
    await deleteUnpostedClaim(this.db, designId, key);
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
