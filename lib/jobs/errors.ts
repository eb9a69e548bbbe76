/**
 * Errors a job throws to steer its retries. Both drivers read them the same way: the in-process
 * driver directly, the Inngest adapter by mapping them to Inngest's `NonRetriableError` and
 * `RetryAfterError`. Any other error is retried with the default backoff until the definition's
 * `retries` are spent.
 */

/** Retrying cannot help (the package refused the document, the settings are wrong): fail now. */
export class NonRetriableJobError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "NonRetriableJobError";
  }
}

/** Try again, but not before the time the other side asked for (a 429 with Retry-After). */
export class RetryAfterJobError extends Error {
  /** When the next attempt may start: a delay in milliseconds from now, or an instant. */
  readonly retryAfter: number | Date;

  constructor(message: string, retryAfter: number | Date, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RetryAfterJobError";
    this.retryAfter = retryAfter;
  }

  /** The delay before the next attempt, never negative. */
  delayMs(now: number = Date.now()): number {
    const ms = this.retryAfter instanceof Date ? this.retryAfter.getTime() - now : this.retryAfter;
    return Math.max(0, ms);
  }
}

export function isNonRetriableJobError(error: unknown): error is NonRetriableJobError {
  return error instanceof NonRetriableJobError;
}

export function isRetryAfterJobError(error: unknown): error is RetryAfterJobError {
  return error instanceof RetryAfterJobError;
}
