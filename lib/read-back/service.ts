import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, isNull, notInArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections, dispatches, documents } from "@/db/schema";
import { toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import { createConnectorContext, runConnectorCall } from "@/lib/connectors/runtime";
import type { Connector } from "@/lib/connectors/types";
import { type Channel, findPackage, isPackageId, type PackageId } from "@/lib/packages/catalog";

/**
 * Read-back (design map, "Delivery truth"): a sent document moves on to Imported when the package
 * proves it took the document in. For FTP that is the importer removing or moving the file; for
 * Yuki, FindDocument finding it in the administration's archive. The connector's `pollStatus`
 * looks; this service asks it about recently sent documents and records `documents.imported_at`.
 * Only "imported" is acted on here: moving a document to `rejected` belongs to the dispatch flow.
 *
 * Run by the ftp-read-back cron (fan-out; it kept its name from when only FTP had a read-back, so
 * its Inngest function id does not change) and the ftp-read-back-connection job (one connection).
 */

/** Documents sent longer ago than this are not asked about any more. */
export const READ_BACK_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** At most this many documents per connection and run (newest first); the rest wait for the next run. */
export const READ_BACK_BATCH = 1_000;
/** Listing folders on a slow server takes a while; a run is bounded all the same. */
export const READ_BACK_TIMEOUT_MS = 60_000;

/** Connections whose health rules out a read-back: nothing to ask, or it would only fail again. */
const SKIPPED_STATUSES = ["disabled", "needs_reauth"] as const;

/** What tests replace: the registry, the clock, the time limit. */
export type ReadBackDeps = {
  loadConnector?: (packageId: PackageId, channel: Channel) => Promise<Connector | null>;
  now?: () => Date;
  timeoutMs?: number;
};

/** What one connection's read-back found. */
export type ReadBackResult =
  | { outcome: "skipped"; reason: "not_found" | "status" | "no_read_back" | "nothing_sent" }
  | { outcome: "checked"; checked: number; imported: number }
  | { outcome: "failed"; errorCode: string };

/** Sent, not yet imported, recently; joined to the dispatch that succeeded (it names the connection). */
function isAwaitingReadBack(since: Date) {
  return and(
    eq(dispatches.status, "succeeded"),
    eq(documents.status, "sent"),
    isNull(documents.importedAt),
    isNotNull(documents.packageReference),
    gte(documents.sentAt, since),
  );
}

/**
 * FTP and API connections with documents waiting for a read-back, across portals (the cron runs as the
 * system and fans out one job per connection). Disabled connections and those that need
 * re-authorisation are left alone.
 */
export async function listConnectionsForReadBack(
  db: DbOrTx,
  options: { now?: Date } = {},
): Promise<{ id: string; portalId: string }[]> {
  const since = new Date((options.now ?? new Date()).getTime() - READ_BACK_WINDOW_MS);
  return db
    .selectDistinct({ id: connections.id, portalId: connections.portalId })
    .from(connections)
    .innerJoin(
      dispatches,
      and(eq(dispatches.connectionId, connections.id), eq(dispatches.portalId, connections.portalId)),
    )
    .innerJoin(documents, and(eq(documents.id, dispatches.documentId), eq(documents.portalId, dispatches.portalId)))
    .where(
      and(
        // E-mail has no read-back; a connector without pollStatus is skipped per connection.
        inArray(connections.channel, ["ftp", "api"]),
        notInArray(connections.status, [...SKIPPED_STATUSES]),
        isAwaitingReadBack(since),
      ),
    )
    .orderBy(connections.id);
}

/**
 * Asks one connection's connector what became of its recently sent documents and marks those it
 * reports as imported: `imported_at` is set with a conditional update (still `sent`, not yet
 * imported), so a document archived meanwhile keeps its state and two runs cannot disagree.
 * A connector failure (server down, login refused) is a result, not an exception: the next run
 * asks again, and the health check is what reports the connection's state.
 */
export async function readBackConnection(
  db: DbOrTx,
  connectionId: string,
  deps: ReadBackDeps = {},
): Promise<ReadBackResult> {
  const now = deps.now?.() ?? new Date();
  const [connection] = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
      status: connections.status,
      settings: connections.settings,
      // Read here only to hand it to the connector runtime, which alone decrypts it.
      secretsEncrypted: connections.secretsEncrypted,
    })
    .from(connections)
    .where(eq(connections.id, connectionId));
  if (!connection) return { outcome: "skipped", reason: "not_found" };
  if ((SKIPPED_STATUSES as readonly string[]).includes(connection.status)) {
    return { outcome: "skipped", reason: "status" };
  }
  const packageEntry = findPackage(connection.packageId);
  const connector =
    packageEntry && isPackageId(connection.packageId)
      ? await (deps.loadConnector ?? loadConnector)(connection.packageId, connection.channel)
      : null;
  if (!packageEntry || !connector?.pollStatus) return { outcome: "skipped", reason: "no_read_back" };

  const since = new Date(now.getTime() - READ_BACK_WINDOW_MS);
  const pending = await db
    .select({ id: documents.id, packageReference: documents.packageReference })
    .from(documents)
    .innerJoin(dispatches, and(eq(dispatches.documentId, documents.id), eq(dispatches.portalId, documents.portalId)))
    .where(
      and(
        eq(documents.portalId, connection.portalId),
        eq(dispatches.connectionId, connection.id),
        isAwaitingReadBack(since),
      ),
    )
    .orderBy(desc(documents.sentAt), desc(documents.id))
    .limit(READ_BACK_BATCH);
  const byReference = new Map<string, string[]>();
  for (const row of pending) {
    if (!row.packageReference) continue;
    byReference.set(row.packageReference, [...(byReference.get(row.packageReference) ?? []), row.id]);
  }
  if (byReference.size === 0) return { outcome: "skipped", reason: "nothing_sent" };

  let states: Awaited<ReturnType<NonNullable<Connector["pollStatus"]>>>;
  try {
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry,
      connection,
      dossier: null,
      dossierSettings: null,
      idempotencyKey: `read-back:${connection.id}:${now.getTime()}`,
      timeoutMs: deps.timeoutMs ?? READ_BACK_TIMEOUT_MS,
    });
    const poll = connector.pollStatus.bind(connector);
    states = await runConnectorCall(ctx, () => poll(ctx, [...byReference.keys()]));
  } catch (error) {
    return { outcome: "failed", errorCode: toConnectorError(error).code };
  }

  const importedIds = states
    .filter((state) => state.state === "imported")
    .flatMap((state) => byReference.get(state.packageReference) ?? []);
  let imported = 0;
  if (importedIds.length > 0) {
    const rows = await db
      .update(documents)
      .set({ importedAt: now, updatedAt: sql`now()` })
      .where(
        and(
          eq(documents.portalId, connection.portalId),
          inArray(documents.id, importedIds),
          eq(documents.status, "sent"),
          isNull(documents.importedAt),
        ),
      )
      .returning({ id: documents.id });
    imported = rows.length;
  }
  return { outcome: "checked", checked: byReference.size, imported };
}
