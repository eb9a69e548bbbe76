/**
 * Why a change to a document is refused: one closed set of codes, from the database to the UI and
 * the API. The document-life rules (lib/documents/life.ts) answer with them, requestSend answers
 * them per document, the deliver job stores them as the error code when it meets one on fresh
 * state, auto-send stores them in documents.auto_send_skip_reason, and the UI translates them. The
 * codes are stable: they are stored and returned by the API.
 *
 * No server-only import: client components translate these codes too.
 */
export const DOCUMENT_REFUSALS = [
  /** Unknown id, malformed id, or a document of another dossier or office. */
  "not_found",
  /** No document type yet: a person (or the recognition step) must set one first. */
  "not_recognised",
  /** Sent (or imported): the package has it. Never delivered twice, never deleted, type final. */
  "already_sent",
  /** A dispatch is on its way (another click, auto-send, a bulk send). */
  "already_sending",
  /** In the archive: only sent documents are there, and they stay where they are. */
  "archived",
  /** Only sent documents can be archived. */
  "not_sent",
  "already_archived",
  "not_archived",
  /** The document changed between reading it and changing it, into a state the rule still allows. */
  "state_changed",
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
  /**
   * Held as a possible duplicate of an earlier document of the dossier (same supplier VAT number
   * and invoice number, lib/documents/duplicates.ts): not sent, by anyone, until a person confirms
   * it is a different document or deletes it.
   */
  "possible_duplicate",
  /** Confirming "a different document" of a document that is not held as a possible duplicate. */
  "not_held",
] as const;
export type DocumentRefusal = (typeof DOCUMENT_REFUSALS)[number];

/** The refusals of the dossier's route (lib/dispatch/plan.ts): its integration or its connection. */
export const ROUTE_REFUSALS = [
  "no_integration",
  "integration_none",
  "integration_incomplete",
  "connection_needs_reauth",
  "connection_disabled",
  "connector_unavailable",
] as const satisfies readonly DocumentRefusal[];

/**
 * The refusals a send can answer (requestSend per document, the deliver job on fresh state): the
 * send rule's and the route's. The archive and race codes belong to the other changes.
 */
export const SEND_REFUSALS = [
  "not_found",
  "not_recognised",
  "already_sent",
  "already_sending",
  "archived",
  ...ROUTE_REFUSALS,
  "possible_duplicate",
] as const satisfies readonly DocumentRefusal[];
export type SendRefusal = (typeof SEND_REFUSALS)[number];

/**
 * Why auto-send left a recognised document in the inbox: auto-send switched off, or any refusal
 * requestSend gave (the integration ones in practice).
 */
export const AUTO_SEND_SKIP_REASONS = ["auto_send_off", ...SEND_REFUSALS] as const;
export type AutoSendSkipReason = (typeof AUTO_SEND_SKIP_REASONS)[number];

export function isDocumentRefusal(value: unknown): value is DocumentRefusal {
  return typeof value === "string" && (DOCUMENT_REFUSALS as readonly string[]).includes(value);
}

export function isAutoSendSkipReason(value: unknown): value is AutoSendSkipReason {
  return typeof value === "string" && (AUTO_SEND_SKIP_REASONS as readonly string[]).includes(value);
}

export function isSendRefusal(value: unknown): value is SendRefusal {
  return typeof value === "string" && (SEND_REFUSALS as readonly string[]).includes(value);
}

/** The message shown next to a document a send refused ("dispatch.refusals.<code>"). */
export function sendRefusalMessageKey(refusal: SendRefusal): `dispatch.refusals.${SendRefusal}` {
  return `dispatch.refusals.${refusal}`;
}

/** The changes other than sending that a person asks for; their refusals are thrown as 409s. */
export const DOCUMENT_CHANGES = ["type", "delete", "archive", "unarchive", "confirmNotDuplicate"] as const;
export type DocumentChange = (typeof DOCUMENT_CHANGES)[number];

/**
 * The message (under "errors") of a refused change: "errors.document.<change>.<code>", worded for
 * that change ("a sent document cannot be deleted; you can archive it"). A document that changed
 * under our feet gets the generic conflict message.
 */
export function changeRefusalMessageKey(change: DocumentChange, refusal: DocumentRefusal): string {
  return refusal === "state_changed" ? "conflict" : `document.${change}.${refusal}`;
}

/** The message that says why a document was not sent automatically. */
export function autoSendSkipMessageKey(reason: AutoSendSkipReason): `dispatch.autoSendSkipped.${AutoSendSkipReason}` {
  return `dispatch.autoSendSkipped.${reason}`;
}
