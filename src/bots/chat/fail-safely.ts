import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

const genericError = (reference: string) =>
  `Something went wrong on our side (reference ${reference}). Nothing was charged for it; please try again.`;

/**
 * Runs a request's slow part. An unexpected error is logged with a reference id and the user gets a
 * generic message carrying that id, never the error itself.
 */
export async function failSafely(
  logger: Logger,
  context: Record<string, unknown>,
  work: () => Promise<void>,
  tell: (text: string) => Promise<unknown>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const reference = randomUUID().slice(0, 8);
    logger.error({ err: error, reference, ...context }, 'a chat request failed');
    await tell(genericError(reference)).catch(() => undefined);
  }
}
