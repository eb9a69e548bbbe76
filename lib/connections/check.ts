import "server-only";
import { asc, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { runConnectorCall } from "@/lib/connectors/call";
import { type ConnectorError, toConnectorError } from "@/lib/connectors/errors";
import { NotFoundError } from "@/lib/errors";
import { findPackage, isPackageId } from "@/lib/packages/catalog";
import { CHECK_TIMEOUT_MS, type ConnectionDeps, DEFAULT_CONNECTION_DEPS } from "./deps";
import { type ConnectionStatus, checkHealthEvent, recordConnectionHealth } from "./health";
import { createConnectorContext } from "./runtime";
import { connectionIdSchema } from "./schemas";

export type { ConnectionStatus } from "./health";

/** What a check found; `errorCode` is a ConnectorErrorCode the UI translates (connectors.errors.*). */
export type ConnectionCheckResult = {
  status: ConnectionStatus;
  errorCode: string | null;
  checkedAt: Date | null;
};

/**
 * Runs the connector's real, bounded check of one portal connection and records its health:
 * connected (last success set, last error cleared), needs_reauth (credentials refused) or error
 * (anything else, including a package whose connector is not built: "connector_unavailable").
 * Disabled connections are left alone. Used by "Test connection" (lib/connections/service.ts,
 * admins) and by the health cron (system actor); the actor must at least see the connection.
 */
export async function runConnectionCheck(
  db: DbOrTx,
  actor: Actor,
  connectionId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionCheckResult> {
  const id = connectionIdSchema.safeParse(connectionId);
  if (!id.success) throw new NotFoundError();
  const [connection] = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
      settings: connections.settings,
      // Read here only to hand it to the connector runtime, which alone decrypts it.
      secretsEncrypted: connections.secretsEncrypted,
      status: connections.status,
    })
    .from(connections)
    .where(eq(connections.id, id.data));
  if (!connection) throw new NotFoundError();
  authorize(actor, "connection.view", { portalId: connection.portalId });

  if (connection.status === "disabled") return { status: "disabled", errorCode: null, checkedAt: null };

  const checkedAt = new Date();
  const packageEntry = findPackage(connection.packageId);
  const connector =
    packageEntry && isPackageId(connection.packageId)
      ? await deps.loadConnector(connection.packageId, connection.channel)
      : null;
  if (!packageEntry || !connector) {
    const status = await recordConnectionHealth(
      db,
      connection,
      checkHealthEvent(checkedAt, { kind: "permanent", code: "connector_unavailable" }),
    );
    return { status, errorCode: status === "disabled" ? null : "connector_unavailable", checkedAt };
  }

  let failure: ConnectorError | null = null;
  try {
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry,
      connection,
      dossier: null,
      dossierSettings: null,
      idempotencyKey: `check:${connection.id}:${checkedAt.getTime()}`,
      timeoutMs: deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS,
    });
    const health = await runConnectorCall(ctx, () => connector.check(ctx));
    if (!health.ok) failure = health.error;
  } catch (error) {
    // Settings that no longer parse, secrets that do not decrypt, a timeout, a crash: all typed.
    failure = toConnectorError(error);
  }

  if (failure) {
    const status = await recordConnectionHealth(db, connection, checkHealthEvent(checkedAt, failure));
    return { status, errorCode: status === "disabled" ? null : failure.code, checkedAt };
  }
  const status = await recordConnectionHealth(db, connection, checkHealthEvent(checkedAt, null));
  return { status, errorCode: null, checkedAt };
}

/**
 * Every connection the health cron should re-check: all that are not disabled and whose
 * connector exists, the longest unchecked first (never-checked ones before all others). A package
 * whose connector is not built yet cannot be checked, so the cron leaves it alone rather than
 * stamping an error on it every 15 minutes; "Test connection" still says so when asked. Across
 * portals: the cron runs as the system and fans out one check per connection.
 */
export async function listConnectionsDueForCheck(
  db: DbOrTx,
  deps: Pick<ConnectionDeps, "loadConnector"> = DEFAULT_CONNECTION_DEPS,
): Promise<{ id: string; portalId: string }[]> {
  const rows = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
    })
    .from(connections)
    .where(ne(connections.status, "disabled"))
    .orderBy(sql`${connections.lastCheckedAt} asc nulls first`, asc(connections.id));
  const due: { id: string; portalId: string }[] = [];
  for (const row of rows) {
    if (!isPackageId(row.packageId)) continue;
    if (await deps.loadConnector(row.packageId, row.channel)) due.push({ id: row.id, portalId: row.portalId });
  }
  return due;
}
