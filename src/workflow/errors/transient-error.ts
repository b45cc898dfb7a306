/** A failure worth retrying with backoff: a timeout, a 429, a 5xx, a connection reset. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}
