import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

/* The statements of CardTokens (card_tokens). */

export type StoredCardToken = { designId: string; sealedToken: string; messageRef: string; expiresAt: Date };

/**
 * Keeps a card's token if it outlives the one kept (a late, older click never replaces a newer token).
 * Returns whether it was kept.
 */
export async function keepCardToken(
  db: Kysely<Database>,
  cardRef: string,
  token: StoredCardToken,
): Promise<boolean> {
  const kept = await db
    .insertInto('card_tokens')
    .values({
      card_ref: cardRef,
      design_id: token.designId,
      sealed_token: token.sealedToken,
      message_ref: token.messageRef,
      expires_at: token.expiresAt,
    })
    .onConflict((conflict) =>
      conflict
        .column('card_ref')
        .doUpdateSet((excluded) => ({
          sealed_token: excluded.ref('excluded.sealed_token'),
          message_ref: excluded.ref('excluded.message_ref'),
          expires_at: excluded.ref('excluded.expires_at'),
          updated_at: new Date(),
        }))
        .where('card_tokens.expires_at', '<', token.expiresAt),
    )
    .returning('card_ref')
    .executeTakeFirst();
  return kept !== undefined;
}

export async function readCardToken(
  db: Kysely<Database>,
  cardRef: string,
): Promise<StoredCardToken | undefined> {
  const row = await db
    .selectFrom('card_tokens')
    .select(['design_id', 'sealed_token', 'message_ref', 'expires_at'])
    .where('card_ref', '=', cardRef)
    .executeTakeFirst();
  return (
    row && {
      designId: row.design_id,
      sealedToken: row.sealed_token,
      messageRef: row.message_ref,
      expiresAt: row.expires_at,
    }
  );
}
