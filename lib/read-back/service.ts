import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, isNull, notInArray } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections, dispatches, documents, dossiers } from "@/db/schema";
import { createConnectorContext } from "@/lib/connections/runtime";
import { runConnectorCall } from "@/lib/connectors/call";
import { toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import type { Connector, DeliveryDossier } from "@/lib/connectors/types";
import { type Channel, findPackage, isPackageId, type PackageId } from "@/lib/packages/catalog";
import { type PackageVerdict, recordPackageVerdicts } from "@/lib/rejections/service";

/**
 * Read-back (design map, "Delivery truth"): a sent document moves on to Imported when the package
 * proves it took the document in, or to Rejected when the package refused it after receiving it.
 * For FTP that is the importer removing or moving the file; for Yuki, GetWorkflow listing it as
 * unprocessable or FindDocument finding it; for Exact Online, the Document's ProposedEntryStatus.
 * The connector's `pollStatus` looks; this service asks it about recently sent documents and
 * records its verdicts once (lib/rejections/service.ts).
 *
 * The connector is asked per dossier and per dossier settings the documents were sent with (the
 * dispatch's target keeps them): an API package answers per division or administration, and the
 * place a document landed is where to ask about it, even when the dossier was mapped elsewhere
 * since. A connector that does not need them (FTP: the reference is the whole path) ignores them.
 *
 * Run by the ftp-read-back cron (fan-out; it kept its name from when only FTP had a read-back, so
 * its Inngest function id does not change), the ftp-read-back-connection job (one connection), and
 * a package's webhook for the documents it names (app/api/webhooks/[packageId], ./webhook.ts).
 */

/** Documents sent longer ago than this are not asked about any more. */
export const READ_BACK_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
/** At most this many documents per connection and run (newest first); the rest wait for the next run. */
export const READ_BACK_BATCH = 1_000;
/** Listing folders on a slow server takes a while; a run (all its dossiers) is bounded all the same. */
export const READ_BACK_TIMEOUT_MS = 60_000;

/** Connections whose health rules out a read-back: nothing to ask, or it would only fail again. */
const SKIPPED_STATUSES = ["disabled", "needs_reauth"] as const;

/** What tests replace: the registry, the clock, the time limit. */
export type ReadBackDeps = {
  loadConnector?: (packageId: PackageId, channel: Channel) => Promise<Connector | null>;
  now?: () => Date;
  timeoutMs?: number;
  /** Ask only about these package references (a webhook named them); default every one waiting. */
  packageReferences?: string[];
};

/** What one connection's read-back found. */
export type ReadBackResult =
  | { outcome: "skipped"; reason: "not_found" | "status" | "no_read_back" | "nothing_sent" }
  | { outcome: "checked"; checked: number; imported: number; rejected: number }
  | { outcome: "failed"; errorCode: string };

/**
 * Sent, not yet imported, recently; joined to the dispatch that delivered the reference the
 * document holds now (it names the connection and where the document went). A document sent again
 * after a rejection has an earlier succeeded dispatch too, with the old reference: not that one.
 */
function isAwaitingReadBack(since: Date) {
  return and(
    eq(dispatches.status, "succeeded"),
    eq(dispatches.packageReference, documents.packageReference),
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
 * Asks one connection's connector what became of its recently sent documents (per dossier, see
 * above) and records what it reports: imported, or rejected with the package's reason, each once
 * (lib/rejections/service.ts: conditional on still `sent` and not yet imported), so a document
 * archived meanwhile keeps its state and two runs cannot disagree. A connector failure (server
 * down, login refused) is a result, not an exception: the next run asks again, and the health
 * check is what reports the connection's state. One dossier failing does not hold up the others.
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
  const onlyReferences = deps.packageReferences;
  if (onlyReferences && onlyReferences.length === 0) return { outcome: "skipped", reason: "nothing_sent" };
  const pending = await db
    .select({
      id: documents.id,
      packageReference: documents.packageReference,
      target: dispatches.target,
      dossier: {
        id: dossiers.id,
        name: dossiers.name,
        companyNumber: dossiers.companyNumber,
        vatNumber: dossiers.vatNumber,
        locale: dossiers.locale,
      },
    })
    .from(documents)
    .innerJoin(dispatches, and(eq(dispatches.documentId, documents.id), eq(dispatches.portalId, documents.portalId)))
    .innerJoin(dossiers, and(eq(dossiers.id, dispatches.dossierId), eq(dossiers.portalId, dispatches.portalId)))
    .where(
      and(
        eq(documents.portalId, connection.portalId),
        eq(dispatches.connectionId, connection.id),
        isAwaitingReadBack(since),
        onlyReferences ? inArray(documents.packageReference, onlyReferences) : undefined,
      ),
    )
    .orderBy(desc(documents.sentAt), desc(documents.id))
    .limit(READ_BACK_BATCH);
  const groups = groupByWhereSent(connector, pending);
  if (groups.length === 0) return { outcome: "skipped", reason: "nothing_sent" };

  const deadline = Date.now() + (deps.timeoutMs ?? READ_BACK_TIMEOUT_MS);
  const verdicts: PackageVerdict[] = [];
  let checked = 0;
  let firstError: string | null = null;
  for (const group of groups) {
    const timeoutMs = deadline - Date.now();
    // Out of time: the other dossiers wait for the next run.
    if (timeoutMs <= 0) break;
    let states: Awaited<ReturnType<NonNullable<Connector["pollStatus"]>>>;
    try {
      const ctx = createConnectorContext({
        db,
        connector,
        packageEntry,
        connection,
        dossier: group.dossier,
        dossierSettings: group.dossierSettings,
        idempotencyKey: `read-back:${connection.id}:${now.getTime()}`,
        timeoutMs,
      });
      const poll = connector.pollStatus.bind(connector);
      states = await runConnectorCall(ctx, () => poll(ctx, [...group.byReference.keys()]));
    } catch (error) {
      firstError ??= toConnectorError(error).code;
      continue;
    }
    checked += group.byReference.size;
    for (const state of states) {
      for (const documentId of group.byReference.get(state.packageReference) ?? []) {
        verdicts.push({
          documentId,
          packageReference: state.packageReference,
          state: state.state,
          reason: state.reason,
        });
      }
    }
  }
  // Nothing could be asked at all: the run failed (the next one asks again; the health check reports).
  if (checked === 0 && firstError !== null) return { outcome: "failed", errorCode: firstError };
  const recorded = await recordPackageVerdicts(db, connection.portalId, verdicts, now);
  return { outcome: "checked", checked, ...recorded };
}

type PendingRow = {
  id: string;
  packageReference: string | null;
  target: Record<string, unknown>;
  dossier: DeliveryDossier;
};

type PollGroup = {
  dossier: DeliveryDossier | null;
  dossierSettings: unknown;
  /** Package reference → our documents with it (normally one). */
  byReference: Map<string, string[]>;
};

/**
 * The documents to ask about, per dossier and per the dossier settings they were sent with (the
 * dispatch's target holds them next to channel and package; the connector's schema keeps only its
 * own fields). A target whose settings no longer parse is asked about without dossier settings.
 */
function groupByWhereSent(connector: Connector, rows: PendingRow[]): PollGroup[] {
  const groups = new Map<string, PollGroup>();
  for (const row of rows) {
    if (!row.packageReference) continue;
    const parsed = connector.dossierSettingsSchema.safeParse(row.target ?? {});
    const dossierSettings = parsed.success ? parsed.data : null;
    const key = `${row.dossier.id}|${JSON.stringify(dossierSettings)}`;
    const group = groups.get(key) ?? {
      dossier: parsed.success ? row.dossier : null,
      dossierSettings,
      byReference: new Map<string, string[]>(),
    };
    group.byReference.set(row.packageReference, [...(group.byReference.get(row.packageReference) ?? []), row.id]);
    groups.set(key, group);
  }
  return [...groups.values()];
}
