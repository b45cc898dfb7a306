/**
 * A failure that another attempt cannot fix (BullMQ calls it unrecoverable): the design fails at once,
 * its hold is released and the card shows `userMessage`.
 */
export type PermanentErrorKind =
  'blocked' | 'no_image' | 'invalid_input' | 'invalid_response' | 'not_configured';

export class PermanentError extends Error {
  override readonly name = 'PermanentError';

  constructor(
    readonly kind: PermanentErrorKind,
    /** Plain words for the person who asked; never a stack trace or a provider's raw text. */
    readonly userMessage: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(options?.detail ? `${kind}: ${options.detail}` : `${kind}: ${userMessage}`, options);
  }
}
