/** The same idempotency key was sent with a different request: a caller bug, never retried. */
export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';

  constructor(
    readonly key: string,
    readonly firstRequest: string,
    readonly thisRequest: string,
  ) {
    super(`Idempotency key "${key}" was first used for ${firstRequest}, not ${thisRequest}`);
  }
}
