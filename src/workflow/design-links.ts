import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/**
 * Signed links to design pages that last until an admin revokes them. The signature covers the design id
 * and its link generation (design_links, 0 when there is no row); revoking moves the generation on and
 * marks the design revoked, so every link handed out before fails, and none is valid while revoked.
 */
export class DesignLinks {
  private readonly key: Buffer;

  constructor(
    private readonly db: Kysely<Database>,
    /** The server's URL secret; a key of its own is derived so page signatures never double as image ones. */
    serverSecret: Buffer,
  ) {
    if (serverSecret.length === 0) throw new Error('DesignLinks needs a non-empty secret');
    this.key = createHmac('sha256', serverSecret).update('facet design page links v1').digest();
  }

  /** The signature of the design's current link, or undefined when its links are revoked. */
  async signatureFor(designId: string): Promise<string | undefined> {
    const state = await this.stateOf(designId);
    return state.revoked ? undefined : this.sign(designId, state.generation);
  }

  /**
   * The link signature for a design whose link state is known not to be revoked and at generation 0:
   * what a card shows without reading the database (cards are a pure function of the snapshot).
   */
  initialSignature(designId: string): string {
    return this.sign(designId, 0);
  }

  /** True when `signature` is the design's current, unrevoked link signature. Constant-time compare. */
  async verify(designId: string, signature: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
    const state = await this.stateOf(designId);
    const expected = Buffer.from(this.sign(designId, state.generation), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    // Compared even when revoked, so a revoked link takes as long to refuse as a forged one.
    const matches = given.length === expected.length && timingSafeEqual(given, expected);
    return matches && !state.revoked;
  }

  /**
   * Revokes every link to the design issued so far. The design's version moves on too, so the card is
   * shown again without its link (by the reconciler of stale cards, as any change nobody showed). False
   * when no such design exists.
   */
  async revoke(designId: string, revokedBy = 'admin'): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const bumped = await trx
        .updateTable('designs')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
        .where('id', '=', designId)
        .returning('id')
        .executeTakeFirst();
      if (!bumped) return false;
      await trx
        .insertInto('design_links')
        .values({ design_id: designId, generation: 1, revoked_at: new Date(), revoked_by: revokedBy })
        .onConflict((conflict) =>
          conflict.column('design_id').doUpdateSet((eb) => ({
            generation: eb('design_links.generation', '+', 1),
            revoked_at: new Date(),
            revoked_by: revokedBy,
          })),
        )
        .execute();
      return true;
    });
  }

  private async stateOf(designId: string): Promise<{ generation: number; revoked: boolean }> {
    const row = await this.db
      .selectFrom('design_links')
      .select(['generation', 'revoked_at'])
      .where('design_id', '=', designId)
      .executeTakeFirst();
    return row
      ? { generation: row.generation, revoked: row.revoked_at !== null }
      : { generation: 0, revoked: false };
  }

  private sign(designId: string, generation: number): string {
    return createHmac('sha256', this.key).update(`${designId}\n${generation}`).digest('base64url');
  }
}

/** A design page's full URL under `baseUrl` (PUBLIC_URL or the server's own address). */
export function designPageUrl(baseUrl: string, designId: string, signature: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/designs/${encodeURIComponent(designId)}?k=${encodeURIComponent(signature)}`;
}

/**
 * What a platform passes to buildDesignCard for its "Open design page" link: the design's first-generation
 * link, signed without a database read (a card is built on every change). Revoking is for good: the
 * card then shows no link (DesignSnapshot.pageLinksRevoked), and the old one answers 404.
 */
export function designPageLinker(baseUrl: string, links: DesignLinks): (designId: string) => string {
  return (designId) => designPageUrl(baseUrl, designId, links.initialSignature(designId));
}
