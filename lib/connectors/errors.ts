/**
 * The one error type connectors throw. Each connector classifies its vendor's failures once (in
 * its client) into a kind that decides what happens next:
 * - `retryable`: network trouble, timeouts, 5xx, 429 — try again later (after `retryAfterMs` if known);
 * - `permanent`: the package refused this document or the settings are wrong — retrying cannot help;
 * - `auth`: credentials were refused — the connection needs re-authorisation.
 * `messageKey` is a key under "connectors.errors" in the i18n messages; vendor text never reaches
 * the UI and only travels in `vendorDetail` for logs.
 */
export const CONNECTOR_ERROR_KINDS = ["retryable", "permanent", "auth"] as const;
export type ConnectorErrorKind = (typeof CONNECTOR_ERROR_KINDS)[number];

/** Stable codes, stored on attempts and connections; the UI translates `connectors.errors.<code>`. */
export const CONNECTOR_ERROR_CODES = [
  "timeout",
  "network",
  "rate_limited",
  "server_error",
  "auth_failed",
  "invalid_settings",
  "missing_address",
  "recipient_refused",
  "file_refused",
  "package_refused",
  "connector_unavailable",
  // FTP(S) and SFTP: what a connection test must tell apart (lib/connectors/ftp/client.ts and
  // sftp.ts classify).
  "host_not_found",
  "host_not_allowed",
  "connection_refused",
  "tls_failed",
  // SFTP: no SSH session (not an SSH server on that port, no common algorithms), and a server
  // key other than the trusted one (typed fingerprint or the key pinned at first use).
  "ssh_failed",
  "host_key_mismatch",
  "login_failed",
  "permission_denied",
  "server_refused",
  // API packages.
  "not_authorised",
  "wrong_region",
  "unknown_target",
  "quota_exceeded",
  "blocked_after_errors",
  "unknown",
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly code: ConnectorErrorCode;
  readonly retryAfterMs?: number;
  /** The vendor's own code or text, for logs only. */
  readonly vendorDetail?: string;

  constructor(
    kind: ConnectorErrorKind,
    code: ConnectorErrorCode,
    options: { retryAfterMs?: number; vendorDetail?: string; cause?: unknown } = {},
  ) {
    super(`${kind}: ${code}${options.vendorDetail ? ` (${options.vendorDetail})` : ""}`, { cause: options.cause });
    this.name = "ConnectorError";
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.vendorDetail = options.vendorDetail;
  }

  /** The i18n key the UI shows for this error. */
  get messageKey(): `connectors.errors.${ConnectorErrorCode}` {
    return `connectors.errors.${this.code}`;
  }
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}

/** Anything a connector let escape becomes a retryable "unknown" error, never a crash. */
export function toConnectorError(error: unknown): ConnectorError {
  if (isConnectorError(error)) return error;
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new ConnectorError("retryable", "timeout", { cause: error });
  }
  return new ConnectorError("retryable", "unknown", {
    vendorDetail: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}
