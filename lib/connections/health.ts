import "server-only";
import { and, eq, ne, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import type { ConnectorErrorCode, ConnectorErrorKind } from "@/lib/connectors/errors";

/**
 * A connection's health (connections.status, last_success_at, last_error_code, last_error_at and,
 * for checks, last_checked_at), recorded from whatever used the connection: "Test connection" and
 * the health cron, the OAuth flows, and real deliveries (the deliver job, "Send a test document").
 * One function writes it for all of them (connectionHealthUpdate), so a delivery that succeeds
 * through a connection says "connected" exactly as a passing check does.
 */

export type ConnectionStatus = (typeof connections.$inferSelect)["status"];

/** A time as a value, or a prepared statement's placeholder filled in at execution. */
type TimeValue = Date | Placeholder;
type IdValue = string | Placeholder;

/**
 * What one use of a connection says about it, at `at` (when it was learnt):
 * - `ok`: the package took our credentials and the call succeeded;
 * - a failure with the status it puts the connection in (`needs_reauth`: credentials refused,
 *   `error`: anything else that is the connection's own fault).
 * `isCheck`: a check (or keep-alive) also stamps last_checked_at; a delivery does not, as it is
 * not a check and the cron orders its work by that column.
 */
export type HealthEvent =
  | { ok: true; at: TimeValue; isCheck: boolean }
  | { ok: false; at: TimeValue; isCheck: boolean; status: "needs_reauth" | "error"; errorCode: string };

/**
 * The codes of a delivery failure that are the connection's fault rather than the document's or the
 * dossier's: the server cannot be reached or will not talk to us (unreachable, refused, no TLS or
 * SSH, a server key other than the trusted one, a host the guard refuses), the folder is not
 * ours to write (550 / SFTP permission denied: a wrong folder), or the account lives elsewhere
 * (Yuki's wrong region). Refused credentials (kind `auth`) count whatever their code.
 * Left out on purpose, as they say nothing certain about the connection: a file or document the
 * package refuses (file_refused, package_refused, recipient_refused), settings of the dossier
 * (invalid_settings, unknown_target, missing_address: mostly a division, administration or
 * address of one dossier), a busy package (rate_limited, quota_exceeded, server_error,
 * blocked_after_errors), a timeout (a 20 MB upload to a slow server is not a broken connection;
 * the health cron's bounded check says whether the server answers) and anything unknown.
 */
export const CONNECTION_FAULT_CODES = [
  "network",
  "connection_refused",
  "host_not_found",
  "host_not_allowed",
  "tls_failed",
  "ssh_failed",
  "host_key_mismatch",
  "login_failed",
  "auth_failed",
  "not_authorised",
  "permission_denied",
  "wrong_region",
] as const satisfies readonly ConnectorErrorCode[];

const FAULT_CODES = new Set<string>(CONNECTION_FAULT_CODES);

/** The status a failure puts a connection in: refused credentials need a person, the rest is an error. */
function failureStatusOf(kind: ConnectorErrorKind): "needs_reauth" | "error" {
  return kind === "auth" ? "needs_reauth" : "error";
}

/**
 * What a check's outcome says: everything. A check does nothing but use the connection, so any
 * failure of it is the connection's (including "connector_unavailable").
 */
export function checkHealthEvent(
  at: Date,
  failure: { kind: ConnectorErrorKind; code: string } | null,
  options: { isCheck?: boolean } = {},
): HealthEvent {
  const isCheck = options.isCheck ?? true;
  if (!failure) return { ok: true, at, isCheck };
  return { ok: false, at, isCheck, status: failureStatusOf(failure.kind), errorCode: failure.code };
}

/**
 * What a delivery's outcome says about its connection: a success → healthy; a failure only when it
 * is the connection's fault (isConnectionFault), else nothing (null): a file or document the
 * package refuses leaves the connection's health alone.
 */
export function deliveryHealthEvent(
  at: TimeValue,
  failure: { kind: ConnectorErrorKind; code: string } | null,
): HealthEvent | null {
  if (!failure) return { ok: true, at, isCheck: false };
  if (!isConnectionFault(failure)) return null;
  return { ok: false, at, isCheck: false, status: failureStatusOf(failure.kind), errorCode: failure.code };
}

/** Whether a delivery failure is the connection's fault (CONNECTION_FAULT_CODES, or refused credentials). */
export function isConnectionFault(failure: { kind: ConnectorErrorKind; code: string }): boolean {
  return failure.kind === "auth" || FAULT_CODES.has(failure.code);
}

/**
 * The update that records one event, to run (recordConnectionHealth) or to use as a CTE (the
 * deliver job writes it in the statement that records the try). Safe under concurrent uses of one
 * connection, as each column is decided in SQL from the row as it is:
 * - a success moves last_success_at forward only (greatest), and makes the connection `connected`
 *   (clearing the last error) unless a failure newer than it was recorded meanwhile;
 * - a failure is recorded only when nothing newer is: no success after it, no later failure;
 *   so a slow try that failed never overwrites the success of a faster one that finished after;
 * - a check's last_checked_at only moves forward;
 * - a disabled connection is left alone (an admin's "disable" always wins).
 */
export function connectionHealthUpdate(db: DbOrTx, connection: { id: IdValue; portalId: IdValue }, event: HealthEvent) {
  const at = sql`${sql.param(event.at, connections.lastErrorAt)}::timestamptz`;
  const lastChecked = event.isCheck ? { lastCheckedAt: sql`greatest(${connections.lastCheckedAt}, ${at})` } : {};
  const set = event.ok
    ? (() => {
        const noNewerFailure = sql`(${connections.lastErrorAt} is null or ${connections.lastErrorAt} <= ${at})`;
        return {
          status: sql`case when ${noNewerFailure} then 'connected'::connection_status else ${connections.status} end`,
          // greatest() skips nulls: the first success sets it.
          lastSuccessAt: sql`greatest(${connections.lastSuccessAt}, ${at})`,
          lastErrorCode: sql`case when ${noNewerFailure} then null else ${connections.lastErrorCode} end`,
          lastErrorAt: sql`case when ${noNewerFailure} then null else ${connections.lastErrorAt} end`,
        };
      })()
    : (() => {
        const isNewest = sql`((${connections.lastSuccessAt} is null or ${connections.lastSuccessAt} < ${at}) and (${connections.lastErrorAt} is null or ${connections.lastErrorAt} <= ${at}))`;
        return {
          status: sql`case when ${isNewest} then ${event.status}::connection_status else ${connections.status} end`,
          lastErrorCode: sql`case when ${isNewest} then ${event.errorCode}::text else ${connections.lastErrorCode} end`,
          lastErrorAt: sql`case when ${isNewest} then ${at} else ${connections.lastErrorAt} end`,
        };
      })();
  return db
    .update(connections)
    .set({ ...set, ...lastChecked, updatedAt: sql`greatest(${connections.updatedAt}, ${at})` })
    .where(
      and(
        eq(connections.id, sqlValue(connection.id)),
        eq(connections.portalId, sqlValue(connection.portalId)),
        ne(connections.status, "disabled"),
      ),
    )
    .returning({ status: connections.status });
}

/** A value or placeholder as drizzle compares it with a uuid column. */
function sqlValue(value: IdValue): SQL | string {
  return typeof value === "string" ? value : sql`${value}`;
}

/**
 * connectionHealthUpdate, run on its own. Returns the status the connection now has ("disabled"
 * when it is disabled or gone: nothing was recorded).
 */
export async function recordConnectionHealth(
  db: DbOrTx,
  connection: { id: string; portalId: string },
  event: HealthEvent,
): Promise<ConnectionStatus> {
  const [row] = await connectionHealthUpdate(db, connection, event);
  return row?.status ?? "disabled";
}
