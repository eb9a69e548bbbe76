import { isNonRetriableJobError, isRetryAfterJobError } from "./errors";

/**
 * The in-process driver's retry policy, close to Inngest's: exponential backoff from 1 s doubling
 * per attempt, capped at 10 minutes, with "equal jitter" (half fixed, half random) so that many
 * jobs failing together do not all come back in the same instant.
 */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 10 * 60_000;

/** Delay before retry number `retry` (1 for the first retry). `random` is in [0, 1). */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/**
 * What to do after attempt number `attempt` (0-based) failed with `error`, given the definition's
 * `retries`: a NonRetriableJobError stops at once; a RetryAfterJobError waits as long as asked;
 * anything else backs off.
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  retries: number,
  options: { random?: () => number; now?: number } = {},
): RetryDecision {
  if (isNonRetriableJobError(error) || attempt >= retries) return { retry: false };
  if (isRetryAfterJobError(error)) return { retry: true, delayMs: error.delayMs(options.now) };
  return { retry: true, delayMs: backoffDelayMs(attempt + 1, options.random) };
}
