import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { keepCardToken, readCardToken, type StoredCardToken } from './store/card-token-statements.ts';

export type { StoredCardToken };

/**
 * The newest short-lived token of each card a platform can reach only with one (Discord: a user
 * install's card, edited through interaction webhooks). Tokens come sealed by the platform; an older
 * token never replaces a newer one, whichever process stores last.
 */
export class CardTokens {
  constructor(private readonly db: Kysely<Database>) {}

  /** Keeps a card's token if it outlives the one kept; returns whether it was kept. */
  keep(cardRef: string, token: StoredCardToken): Promise<boolean> {
    return keepCardToken(this.db, cardRef, token);
  }

  read(cardRef: string): Promise<StoredCardToken | undefined> {
    return readCardToken(this.db, cardRef);
  }
}
