/**
 * Why a document cannot be sent (requestSend answers these per document) and why a recognised
 * document was not sent automatically (stored in documents.auto_send_skip_reason). The codes are
 * stable: they are stored, returned by the API and translated under "dispatch" in the messages.
 */
export const SEND_REFUSAL_REASONS = [
  /** Unknown id, malformed id, or a document of another dossier. */
  "not_found",
  /** No document type yet: a person (or the recognition step) must set one first. */
  "not_recognised",
  /** Sent (or imported): the package has it; never deliver twice. */
  "already_sent",
  /** A dispatch is already on its way (another click, auto-send, a bulk send). */
  "already_sending",
  /** Archived documents are sent ones; they stay where they are. */
  "archived",
  /** The dossier has not chosen how it delivers. */
  "no_integration",
  /** The dossier chose "no integration needed". */
  "integration_none",
  /** The integration misses something, e.g. an address for the document's category. */
  "integration_incomplete",
  "connection_needs_reauth",
  "connection_disabled",
  /** The package's connector on this channel is not built yet. */
  "connector_unavailable",
] as const;
export type SendRefusalReason = (typeof SEND_REFUSAL_REASONS)[number];

/**
 * Why auto-send left a recognised document in the inbox: auto-send switched off, or any reason
 * requestSend gave (the integration ones in practice).
 */
export const AUTO_SEND_SKIP_REASONS = ["auto_send_off", ...SEND_REFUSAL_REASONS] as const;
export type AutoSendSkipReason = (typeof AUTO_SEND_SKIP_REASONS)[number];

/** Errors of the dispatch itself (not the connector's): stored as attempt and document error codes. */
export const DISPATCH_ERROR_CODES = [
  /** The stored file of the document is gone. */
  "file_missing",
  /** The process stopped during this attempt; the next attempt (same idempotency key) took over. */
  "interrupted",
  /** The job gave up for a reason outside the delivery (e.g. the database kept failing). */
  "job_failed",
] as const;
export type DispatchErrorCode = (typeof DISPATCH_ERROR_CODES)[number];

export function isSendRefusalReason(value: unknown): value is SendRefusalReason {
  return typeof value === "string" && (SEND_REFUSAL_REASONS as readonly string[]).includes(value);
}

export function isAutoSendSkipReason(value: unknown): value is AutoSendSkipReason {
  return typeof value === "string" && (AUTO_SEND_SKIP_REASONS as readonly string[]).includes(value);
}

/** The message shown next to a refused document ("dispatch.refusals.<reason>"). */
export function refusalMessageKey(reason: SendRefusalReason): `dispatch.refusals.${SendRefusalReason}` {
  return `dispatch.refusals.${reason}`;
}

/** The message that says why a document was not sent automatically. */
export function autoSendSkipMessageKey(reason: AutoSendSkipReason): `dispatch.autoSendSkipped.${AutoSendSkipReason}` {
  return `dispatch.autoSendSkipped.${reason}`;
}

/** The message of a dispatch error code ("dispatch.errors.<code>"). */
export function dispatchErrorMessageKey(code: DispatchErrorCode): `dispatch.errors.${DispatchErrorCode}` {
  return `dispatch.errors.${code}`;
}
