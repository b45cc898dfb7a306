import { isStalePlan } from './prepared-statements.ts';

/**
 * Errors after which the whole transaction, rolled back, may simply run again: a prepared statement
 * refused as stale (a migration changed its columns; the retry prepares it anew) and a deadlock
 * (Postgres chose this transaction to abort so that the other one could finish).
 */
export function isRetryableTransactionError(error: unknown): boolean {
  if (isStalePlan(error)) return true;
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '40P01';
}

/** Runs a transaction again (from the start) after such an error, up to `attempts` times in all. */
export async function withTransactionRetry<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
    }
  }
}
