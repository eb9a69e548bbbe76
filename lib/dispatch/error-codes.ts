/**
 * Errors of the dispatch itself (not the connector's, not a refusal of lib/documents/refusals.ts):
 * stored as attempt and document error codes, translated under "dispatch.errors".
 */
export const DISPATCH_ERROR_CODES = [
  /** The stored file of the document is gone. */
  "file_missing",
  /** The process stopped during this attempt; the next attempt (same idempotency key) took over. */
  "interrupted",
  /** The job gave up for a reason outside the delivery (e.g. the database kept failing). */
  "job_failed",
] as const;
export type DispatchErrorCode = (typeof DISPATCH_ERROR_CODES)[number];

/** The message of a dispatch error code ("dispatch.errors.<code>"). */
export function dispatchErrorMessageKey(code: DispatchErrorCode): `dispatch.errors.${DispatchErrorCode}` {
  return `dispatch.errors.${code}`;
}
