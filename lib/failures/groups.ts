import { CONNECTOR_ERROR_CODES, type ConnectorErrorCode } from "@/lib/connectors/errors";
import { DISPATCH_ERROR_CODES, type DispatchErrorCode } from "@/lib/dispatch/error-codes";
import { SEND_REFUSALS, type SendRefusal } from "@/lib/documents/refusals";

/**
 * The causes the failure queue groups documents by, in display order: what an accountant has to
 * fix before sending again.
 * - `reauth`: the package no longer accepts the connection's credentials (an admin reconnects);
 * - `settings`: the connection's or the dossier's integration settings are wrong or incomplete
 *   (administration, region, address, folder, no or no usable integration);
 * - `package_refusal`: the package refused this document (rejected, or a refused file);
 * - `file`: the document itself is the problem (its file is gone, it has no type);
 * - `unreachable`: the package could not be reached or gave up for now (network, outage, limits).
 */
export const FAILURE_GROUPS = ["reauth", "settings", "package_refusal", "file", "unreachable"] as const;
export type FailureGroup = (typeof FAILURE_GROUPS)[number];

/**
 * Every code the dispatch flow stores in documents.last_error_code and attempts.error_code: a
 * connector's error, a dispatch error, or a refusal the deliver job met on fresh state.
 */
export type StoredErrorCode = ConnectorErrorCode | DispatchErrorCode | SendRefusal;

export const STORED_ERROR_CODES: readonly StoredErrorCode[] = [
  ...new Set<StoredErrorCode>([...CONNECTOR_ERROR_CODES, ...DISPATCH_ERROR_CODES, ...SEND_REFUSALS]),
];

/**
 * The one map from a stored error code to its cause. A Record over the union, so a code added to
 * CONNECTOR_ERROR_CODES, DISPATCH_ERROR_CODES or SEND_REFUSALS without a group here does
 * not compile (and tests/unit/lib/failures/groups.test.ts fails).
 *
 * `recipient_refused` sits under settings, not package refusal: the package (its mail server)
 * refused the *address*, and the fix is the address in the dossier's integration, after which a
 * retry of the whole group is exactly what is wanted.
 */
export const FAILURE_GROUP_OF_CODE: Record<StoredErrorCode, FailureGroup> = {
  // Credentials refused or never given: an admin re-authorises the connection.
  auth_failed: "reauth",
  not_authorised: "reauth",
  login_failed: "reauth",
  connection_needs_reauth: "reauth",
  // Settings of the connection or of the dossier's integration.
  invalid_settings: "settings",
  missing_address: "settings",
  recipient_refused: "settings",
  unknown_target: "settings",
  wrong_region: "settings",
  host_not_allowed: "settings",
  permission_denied: "settings",
  // The SFTP server's key is not the trusted one: an admin checks with the provider and types the
  // new fingerprint on the connection (retrying unchanged fails the same way).
  host_key_mismatch: "settings",
  connector_unavailable: "settings",
  no_integration: "settings",
  integration_none: "settings",
  integration_incomplete: "settings",
  connection_disabled: "settings",
  // The package refused this document.
  package_refused: "package_refusal",
  // Held as a possible duplicate of another document: a person decides about the document itself.
  possible_duplicate: "file",
  file_refused: "package_refusal",
  // The document itself.
  file_missing: "file",
  not_recognised: "file",
  not_found: "file",
  archived: "file",
  already_sent: "file",
  already_sending: "file",
  // The target could not be reached, or asked us to wait.
  timeout: "unreachable",
  network: "unreachable",
  rate_limited: "unreachable",
  server_error: "unreachable",
  host_not_found: "unreachable",
  connection_refused: "unreachable",
  tls_failed: "unreachable",
  ssh_failed: "unreachable",
  server_refused: "unreachable",
  quota_exceeded: "unreachable",
  blocked_after_errors: "unreachable",
  interrupted: "unreachable",
  job_failed: "unreachable",
  unknown: "unreachable",
};

/**
 * Groups whose failed documents "retry all" sends again. Not `file`: its documents fail the same
 * way until a person uploads or types them again, one by one. Rejected documents are never part
 * of a bulk retry (design map: a rejected document is sent again *after correction*), so the
 * package-refusal group offers it for its failed documents only.
 */
export const RETRYABLE_GROUPS: readonly FailureGroup[] = ["reauth", "settings", "package_refusal", "unreachable"];

export function isRetryableGroup(group: FailureGroup): boolean {
  return RETRYABLE_GROUPS.includes(group);
}

export function isStoredErrorCode(code: unknown): code is StoredErrorCode {
  return typeof code === "string" && Object.hasOwn(FAILURE_GROUP_OF_CODE, code);
}

/**
 * The group stored on a document when it fails or is rejected (documents.failure_group, written by
 * lib/documents/life.ts in the statement that records the failure): what its status and its error
 * code say. The connection's health is left out on purpose: it changes on its own (an admin
 * re-authorises, a check fails), so failureGroupOf lays it over at read time, and the failure queue
 * does the same in SQL from this column (lib/failures/list.ts). Meaningful only while the document
 * is failed or rejected; the indexes that read it hold those rows only.
 */
export function storedFailureGroupOf(status: "failed" | "rejected", code: string | null): FailureGroup {
  if (status === "rejected") return "package_refusal";
  return isStoredErrorCode(code) ? FAILURE_GROUP_OF_CODE[code] : "unreachable";
}

type ConnectionStatus = "not_checked" | "connected" | "needs_reauth" | "error" | "disabled";

/** What decides a document's group: its status, its last error code and its connection's health. */
export type FailureFacts = {
  status: "failed" | "rejected";
  lastErrorCode: string | null;
  /** The status of the connection the dossier's integration uses now; null without one. */
  connectionStatus: ConnectionStatus | null;
};

/**
 * Causes that belong to the document itself (the package refused this file, or the file is
 * missing or untyped): re-authorising or re-enabling the connection does not fix them, so a
 * connection's own trouble never takes them out of their group.
 */
export const DOCUMENT_OWN_GROUPS: readonly FailureGroup[] = ["package_refusal", "file"];

/**
 * A document's cause, in this order: a rejection is the package's refusal; a failure whose last
 * error is the document's own (DOCUMENT_OWN_GROUPS) stays with that cause; otherwise a connection
 * that now needs re-authorisation (or is disabled) must be fixed before anything else can go,
 * whatever the last try said; then the last error code. A missing or unknown code counts as
 * `unknown`. lib/failures/list.ts reads the same decision from the stored column, with the dossiers
 * of such connections moved over (failureGroupParts); a test holds them equal.
 */
export function failureGroupOf(facts: FailureFacts): FailureGroup {
  if (facts.status === "rejected") return "package_refusal";
  const byCode = storedFailureGroupOf(facts.status, facts.lastErrorCode);
  if (DOCUMENT_OWN_GROUPS.includes(byCode)) return byCode;
  if (facts.connectionStatus === "needs_reauth") return "reauth";
  if (facts.connectionStatus === "disabled") return "settings";
  return byCode;
}
