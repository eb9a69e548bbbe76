import "server-only";
import { and, eq, exists, getTableColumns, inArray, isNotNull, type SQL, sql, type WithSubquery } from "drizzle-orm";
import { type AnyPgColumn, alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db";
import { noteDatabaseError } from "@/db/health";
import {
  attemptOutcomeEnum,
  attempts,
  connections,
  deliveryBreakers,
  dispatches,
  documents,
  dossierIntegrations,
  dossiers,
} from "@/db/schema";
import { writeWhileDatabaseUnreachable } from "@/db/unreachable";
import { connectionHealthUpdate, deliveryHealthEvent } from "@/lib/connections/health";
import { createConnectorContext } from "@/lib/connections/runtime";
import { runConnectorCall } from "@/lib/connectors/call";
import { ConnectorError, type ConnectorErrorKind, toConnectorError } from "@/lib/connectors/errors";
import { categoryOf, type DeliveryDocument, type DeliveryReceipt } from "@/lib/connectors/types";
import {
  type DeliveryKeys,
  deliveredChanges,
  deliveryFailedChanges,
  deliveryWaitingChanges,
} from "@/lib/documents/life";
import { type SendRefusal, sendRefusalMessageKey } from "@/lib/documents/refusals";
import { NonRetriableJobError } from "@/lib/jobs/errors";
import { findPackage, ublFormFor } from "@/lib/packages/catalog";
import { getFileStore } from "@/lib/storage";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { deliveryFormOf } from "@/lib/ubl/delivery-file";
import {
  type BreakerLane,
  type BreakerRow,
  breakerLaneKeySql,
  breakerLaneOf,
  closeBreaker,
  isOpen,
  probeConnection,
  readBreaker,
  recordUnreachable,
  takeProbe,
} from "./breaker";
import { type DispatchErrorCode, dispatchErrorMessageKey } from "./error-codes";
import { holdLease, LEASE_RELEASED, leaseTakenAt } from "./lease";
import { attemptOutcomeOf } from "./outcome";
import { type DeliveryRoute, type DispatchTarget, type IntegrationSnapshot, resolveRoute, targetFor } from "./plan";
import { isUnreachableCode, retryDelayMs, retryHorizonMs, scaled } from "./retry-policy";

/** One delivery may take this long (a 20 MB attachment to a slow mail API or FTP server). */
export const DELIVERY_TIMEOUT_MS = 120_000;

const ACTIVE_STATUSES = ["queued", "running"] as const;

export type DeliverOptions = {
  /** The job's last try: a retryable error fails the document instead of asking for another. */
  isFinalAttempt?: boolean;
  /**
   * The try count the caller last saw (from a "waiting" result it slept on): when another run has
   * tried since, this run is superseded and does nothing.
   */
  expectedAttemptCount?: number;
  timeoutMs?: number;
  /**
   * Runs right after the connector acknowledged, before anything is recorded. Tests throw here to
   * play a process that dies between the delivery and the database commit.
   */
  afterConnectorCall?: () => void | Promise<void>;
};

export type DeliverResult =
  | { outcome: "sent"; attempt: number; packageReference: string | null }
  /** Nothing to do: the dispatch is finished (another run got there first) or gone. */
  | { outcome: "skipped" }
  /**
   * Not yet: a retryable failure waits for its next try (backoff, Retry-After), or the lane's
   * breaker is open. The next try time is stored on the dispatch (it survives a restart); the job
   * sleeps until then and calls again with `attemptCount` as expectedAttemptCount.
   */
  | { outcome: "waiting"; nextAttemptAt: string; attemptCount: number }
  /**
   * Put back, no try counted: the database could not be reached before the package was called
   * (the gate or the claim failed). The dispatch is as it was; the job waits and calls again.
   */
  | { outcome: "deferred"; reason: "database_unreachable" };

/** A failure decided by us rather than the connector: the reason is our own message key. */
type Failure = {
  kind: ConnectorErrorKind;
  code: string;
  reason: string;
  retryAfterMs?: number;
};

function failureOf(error: unknown): Failure {
  const connectorError = toConnectorError(error);
  return {
    kind: connectorError.kind,
    code: connectorError.code,
    // A translation key; the vendor's own text (vendorDetail) only ever goes to the logs.
    reason: connectorError.messageKey,
    retryAfterMs: connectorError.retryAfterMs,
  };
}

function dispatchFailure(code: DispatchErrorCode, kind: ConnectorErrorKind = "permanent"): Failure {
  return { kind, code, reason: dispatchErrorMessageKey(code) };
}

function refusalFailure(reason: SendRefusal): Failure {
  return { kind: "permanent", code: reason, reason: sendRefusalMessageKey(reason) };
}

const integrationConnections = alias(connections, "integration_connections");

const isActive = inArray(dispatches.status, [...ACTIVE_STATUSES]);

/**
 * The statements of a successful delivery, built once per database and executed with values
 * (drizzle's prepared queries): building these CTEs costs more than running them on PGlite, and
 * on PostgreSQL the server keeps their plans per connection.
 */
type PreparedStatements = {
  claim: ReturnType<typeof prepareClaim>;
  success: ReturnType<typeof prepareSuccess>;
};
const preparedByDb = new WeakMap<Db, PreparedStatements>();

function preparedFor(db: Db): PreparedStatements {
  let prepared = preparedByDb.get(db);
  if (!prepared) {
    prepared = { claim: prepareClaim(db), success: prepareSuccess(db) };
    preparedByDb.set(db, prepared);
  }
  return prepared;
}

/**
 * A prepared statement's value for a column, filled in at execution and encoded as the column
 * encodes (a Date, JSON). `now`: the time the statement stamps its rows with, from the app's clock.
 */
function valueFor(column: AnyPgColumn, name: string): SQL {
  return sql`${sql.param(sql.placeholder(name), column)}`;
}

/**
 * Claims the next try of a dispatch and reads everything the delivery needs, in one statement:
 * the dispatch moves to `running` and counts the try (only while it is still active: a finished
 * one claims nothing), an attempt a dead process left `running` is closed as interrupted, the
 * try's attempt row is written as `running`, and the document, dossier, integration and
 * connection come back fresh with it. The attempt starts with the dispatch's requested target
 * and channel; the record step writes the connector and target the try actually used, once the
 * route is resolved from this very row.
 */
async function claimDispatch(db: Db, dispatchId: string, attemptCount: number) {
  const [row] = await preparedFor(db).claim.execute({ dispatchId, attemptCount, now: new Date() });
  return row;
}

function prepareClaim(db: Db) {
  const claimed = db.$with("claimed").as(
    db
      .update(dispatches)
      .set({
        status: "running",
        attemptCount: sql`${dispatches.attemptCount} + 1`,
        nextAttemptAt: null,
        leaseExpiresAt: leaseTakenAt(valueFor(dispatches.updatedAt, "now")),
        updatedAt: valueFor(dispatches.updatedAt, "now"),
      })
      // Test sends (no document) run inline (lib/integrations/test-send.ts), never here.
      .where(
        and(
          eq(dispatches.id, sql.placeholder("dispatchId")),
          isActive,
          isNotNull(dispatches.documentId),
          // The count the gate read: a second run that got here first makes this one claim nothing.
          eq(dispatches.attemptCount, sql.placeholder("attemptCount")),
        ),
      )
      .returning({
        id: dispatches.id,
        portalId: dispatches.portalId,
        dossierId: dispatches.dossierId,
        documentId: dispatches.documentId,
        trigger: dispatches.trigger,
        target: dispatches.target,
        attemptCount: dispatches.attemptCount,
        requestedByUserId: dispatches.requestedByUserId,
      }),
  );
  // A try still `running` never finished: its process stopped. This try takes over with the
  // same idempotency key, so whatever that one delivered is not delivered again.
  const interrupted = db.$with("interrupted").as(
    db
      .update(attempts)
      .set({
        outcome: "retryable_error",
        errorCode: "interrupted",
        reason: dispatchErrorMessageKey("interrupted"),
        finishedAt: valueFor(attempts.finishedAt, "now"),
      })
      .where(
        and(
          eq(attempts.dispatchId, sql.placeholder("dispatchId")),
          // Nothing claimed: null, which matches no row.
          eq(attempts.portalId, sql`(select ${claimed.portalId} from ${claimed})`),
          eq(attempts.outcome, "running"),
        ),
      )
      .returning({ id: attempts.id }),
  );
  // Every column of attempts, in the table's order (drizzle's insert…select checks both).
  const opened = db.$with("opened_attempt").as(
    db
      .insert(attempts)
      .select(
        db
          .select({
            id: sql`gen_random_uuid()`.as("id"),
            portalId: claimed.portalId,
            dispatchId: claimed.id,
            documentId: claimed.documentId,
            number: claimed.attemptCount,
            trigger: claimed.trigger,
            // The channel until the route is resolved from this row; the record step writes the connector.
            connector: sql`coalesce(${claimed.target}->>'channel', 'none')`.as("connector"),
            target: claimed.target,
            outcome: sql`${"running"}::${sql.identifier(attemptOutcomeEnum.enumName)}`.as("outcome"),
            errorCode: sql`null::text`.as("error_code"),
            reason: sql`null::text`.as("reason"),
            packageReference: sql`null::text`.as("package_reference"),
            startedAt: sql`${valueFor(attempts.startedAt, "now")}::timestamptz`.as("started_at"),
            finishedAt: sql`null::timestamptz`.as("finished_at"),
            dossierId: claimed.dossierId,
            fileName:
              sql`(select ${documents.fileName} from ${documents} where ${documents.id} = ${claimed.documentId} and ${documents.portalId} = ${claimed.portalId})`.as(
                "file_name",
              ),
            requestedByUserId: claimed.requestedByUserId,
          })
          .from(claimed),
      )
      .returning({ id: attempts.id, number: attempts.number }),
  );
  return db
    .with(claimed, interrupted, opened)
    .select({
      id: claimed.id,
      portalId: claimed.portalId,
      trigger: claimed.trigger,
      target: claimed.target,
      // Subqueries rather than a join: one relation fewer to plan. Planning is most of this
      // statement's cost on PGlite, which plans every execution (with the interrupted attempts
      // found by the dispatch id rather than through claimed: 2.2 → 0.7 ms of planning).
      attemptId: sql<string>`(select ${opened.id} from ${opened})`,
      attemptNumber: sql<number>`(select ${opened.number} from ${opened})`.mapWith(Number),
      document: {
        id: documents.id,
        fileName: documents.fileName,
        mimeType: documents.mimeType,
        sizeBytes: documents.sizeBytes,
        sha256: documents.sha256,
        storageKey: documents.storageKey,
        documentType: documents.documentType,
        recognisedFields: documents.recognisedFields,
        createdAt: documents.createdAt,
      },
      dossier: {
        id: dossiers.id,
        name: dossiers.name,
        companyNumber: dossiers.companyNumber,
        vatNumber: dossiers.vatNumber,
        locale: dossiers.locale,
      },
      integrationKind: dossierIntegrations.kind,
      integrationConnectionId: dossierIntegrations.connectionId,
      integrationPackageId: dossierIntegrations.packageId,
      integrationSettings: dossierIntegrations.settings,
      connectionId: integrationConnections.id,
      connectionPackageId: integrationConnections.packageId,
      connectionChannel: integrationConnections.channel,
      connectionLabel: integrationConnections.label,
      connectionStatus: integrationConnections.status,
      // Read here only to hand to the connector runtime, which alone decrypts it.
      connectionSettings: integrationConnections.settings,
      connectionSecretsEncrypted: integrationConnections.secretsEncrypted,
    })
    .from(claimed)
    .innerJoin(documents, and(eq(documents.id, claimed.documentId), eq(documents.portalId, claimed.portalId)))
    .innerJoin(dossiers, and(eq(dossiers.id, claimed.dossierId), eq(dossiers.portalId, claimed.portalId)))
    .leftJoin(
      dossierIntegrations,
      and(eq(dossierIntegrations.dossierId, dossiers.id), eq(dossierIntegrations.portalId, dossiers.portalId)),
    )
    .leftJoin(
      integrationConnections,
      and(
        eq(integrationConnections.id, dossierIntegrations.connectionId),
        eq(integrationConnections.portalId, dossiers.portalId),
      ),
    )
    .prepare("deliver_claim_dispatch");
}

type ClaimedDispatch = NonNullable<Awaited<ReturnType<typeof claimDispatch>>>;

/** What the gate let through: the try count to claim at, and what the outage rules need. */
type Gate = {
  outcome: "go";
  attemptCount: number;
  /** The first retryable failure of the dispatch (or of its lane's open breaker), if any. */
  failingSince: Date | null;
  horizonMs: number;
  lane: BreakerLane | null;
  breaker: BreakerRow | undefined;
};

/** Spreads a parked lane's dispatches a little around its probe time, scaled. */
const PARK_SPREAD_MS = 5_000;

/**
 * Before a try is claimed (and counted): is there one to make now? A finished or superseded
 * dispatch → skipped; one whose next try time has not come → waiting until then; one whose lane's
 * breaker is open → parked until the next probe (no try spent), unless this run takes the probe:
 * a connection's probe is its check, the mail service's is this delivery. Past the retry horizon a
 * parked dispatch makes its last real try, whose failure then fails the document.
 */
async function gateDispatch(
  db: Db,
  dispatchId: string,
  options: DeliverOptions,
): Promise<Gate | { outcome: "skipped" } | { outcome: "waiting"; nextAttemptAt: string; attemptCount: number }> {
  const channel = sql<string | null>`${dispatches.target}->>'channel'`;
  // The lane's breaker comes with the dispatch: one round trip instead of two on every delivery.
  const laneKey = breakerLaneKeySql({ connectionId: dispatches.connectionId, channel });
  const [row] = await db
    .select({
      status: dispatches.status,
      portalId: dispatches.portalId,
      connectionId: dispatches.connectionId,
      attemptCount: dispatches.attemptCount,
      nextAttemptAt: dispatches.nextAttemptAt,
      failingSince: dispatches.failingSince,
      channel,
      packageId: sql<string | null>`${dispatches.target}->>'packageId'`,
      laneKey,
      breaker: getTableColumns(deliveryBreakers),
    })
    .from(dispatches)
    .leftJoin(deliveryBreakers, eq(deliveryBreakers.key, laneKey))
    .where(and(eq(dispatches.id, dispatchId), isNotNull(dispatches.documentId)));
  if (!row || !(ACTIVE_STATUSES as readonly string[]).includes(row.status)) return { outcome: "skipped" };
  if (options.expectedAttemptCount !== undefined && row.attemptCount !== options.expectedAttemptCount) {
    return { outcome: "skipped" };
  }
  const now = new Date();
  const waiting = (at: Date) => ({
    outcome: "waiting" as const,
    nextAttemptAt: at.toISOString(),
    attemptCount: row.attemptCount,
  });
  if (row.status === "queued" && row.nextAttemptAt && row.nextAttemptAt > now) return waiting(row.nextAttemptAt);

  const horizonMs = retryHorizonMs(findPackage(row.packageId));
  const lane = breakerLaneOf(row);
  let breaker = !lane
    ? undefined
    : row.laneKey === lane.key
      ? (row.breaker ?? undefined)
      : await readBreaker(db, lane.key);
  const go: Gate = {
    outcome: "go",
    attemptCount: row.attemptCount,
    failingSince: row.failingSince,
    horizonMs,
    lane,
    breaker,
  };
  if (!lane || !isOpen(breaker) || row.status !== "queued") return go;
  const since = row.failingSince ?? breaker.failingSince;
  if (now.getTime() - since.getTime() >= horizonMs) return { ...go, failingSince: since };

  if (breaker.nextProbeAt <= now && (await takeProbe(db, breaker, now))) {
    // The mail service's probe is this very delivery.
    if (!lane.connectionId) return go;
    if (await probeConnection(db, lane.connectionId)) {
      await closeBreaker(db, lane);
      breaker = undefined;
      return { ...go, breaker };
    }
    breaker = (await readBreaker(db, lane.key)) ?? breaker;
  }
  if (!isOpen(breaker)) return go;
  // Parked: no try counted. The next probe time, spread a little, capped at the horizon's end.
  const parkUntil = new Date(
    Math.min(
      Math.max(breaker.nextProbeAt.getTime(), now.getTime()) + Math.round(scaled(PARK_SPREAD_MS) * Math.random()),
      since.getTime() + horizonMs,
    ),
  );
  const parked = await db
    .update(dispatches)
    .set({
      nextAttemptAt: parkUntil,
      failingSince: since,
      waitingCode: sql`coalesce(${dispatches.waitingCode}, ${breaker.lastErrorCode})`,
      updatedAt: now,
    })
    .where(
      and(
        eq(dispatches.id, dispatchId),
        eq(dispatches.status, "queued"),
        eq(dispatches.attemptCount, row.attemptCount),
      ),
    )
    .returning({ id: dispatches.id });
  if (parked.length === 0) return { outcome: "skipped" };
  // The breaker may have closed since it was read: closeBreaker (a probe or a delivery of another
  // run) wakes only the dispatches parked when it looks, and this one was due, not parked, then.
  // Parked on a breaker that is gone, it would sleep until a probe that never comes (up to the
  // old probe time: a document left sending after its lane was back). Read again after parking:
  // closed now → go on now; still open → any close from here on finds this dispatch parked.
  if (!isOpen(await readBreaker(db, lane.key))) return { ...go, breaker: undefined };
  return waiting(parkUntil);
}

function snapshotOf(row: ClaimedDispatch): IntegrationSnapshot {
  return {
    dossier: row.dossier,
    integration: row.integrationKind
      ? {
          kind: row.integrationKind,
          connectionId: row.integrationConnectionId,
          packageId: row.integrationPackageId,
          settings: row.integrationSettings,
        }
      : null,
    connection:
      row.connectionId && row.connectionPackageId && row.connectionChannel && row.connectionStatus
        ? {
            id: row.connectionId,
            packageId: row.connectionPackageId,
            channel: row.connectionChannel,
            label: row.connectionLabel ?? "",
            status: row.connectionStatus,
          }
        : null,
  };
}

/** What a try used: recorded on its attempt (and, on success, on the dispatch). */
type TryRoute = { connectorId: string; target: DispatchTarget };

/**
 * One try of one dispatch (design map, "Dispatch flow" step 2), called by the deliver job:
 * 1. claim and load, in one statement (claimDispatch): the dispatch moves to `running` and counts
 *    the try, the try's attempt row is written as `running` (one a dead process left `running` is
 *    closed as interrupted), and the document, dossier, integration and connection are read fresh;
 * 2. resolve the route from that row, and read the file;
 * 3. deliver through the connector with the dispatch id as idempotency key, bounded by a timeout;
 * 4. record, in one statement: success → attempt succeeded, dispatch succeeded, document sent.
 *    A retryable error → attempt recorded, dispatch back to `queued`, and a RetryAfterJobError
 *    (when the other side said when) or a plain Error, so the driver backs off. A permanent or
 *    auth error, or a retryable one on the last try → document and dispatch failed with the
 *    reason, and a NonRetriableJobError; auth also marks the connection `needs_reauth`.
 * Every status change is a conditional update, so a second run of the same dispatch (a resume
 * next to a late retry) cannot finish it twice, and repeating a try is safe: the connector's
 * idempotency (same key) keeps the package from receiving the document twice.
 */
export async function deliverDispatch(
  db: Db,
  dispatchId: string,
  options: DeliverOptions = {},
): Promise<DeliverResult> {
  let gate: Awaited<ReturnType<typeof gateDispatch>>;
  let claim: ClaimedDispatch | undefined;
  try {
    gate = await gateDispatch(db, dispatchId, options);
    if (gate.outcome !== "go") return gate;
    claim = await claimDispatch(db, dispatchId, gate.attemptCount);
  } catch (error) {
    // Nothing was called and nothing was counted (the claim is one statement): put it back. The
    // pages answer the 503 page meanwhile (db/health.ts).
    if (noteDatabaseError(error)) {
      console.warn(`[deliver] dispatch ${dispatchId}: the database cannot be reached; put back, no try counted`);
      return { outcome: "deferred", reason: "database_unreachable" };
    }
    throw error;
  }
  // Finished already (another run got there first), or gone.
  if (!claim) return { outcome: "skipped" };
  const lease = holdLease(db, claim.id);
  try {
    return await deliverClaimed(db, claim, gate, options);
  } finally {
    lease.release();
  }
}

/** Steps 2–4 of deliverDispatch, for a dispatch this run claimed and holds the lease of. */
async function deliverClaimed(
  db: Db,
  claim: ClaimedDispatch,
  gate: Gate,
  options: DeliverOptions,
): Promise<DeliverResult> {
  const isFinal = Boolean(options.isFinalAttempt);
  const documentType = claim.document.documentType;

  let route: DeliveryRoute | null = null;
  let target = claim.target as DispatchTarget;
  let planFailure: Failure | null = null;
  const routeResult = await resolveRoute(snapshotOf(claim));
  if (!routeResult.ok) planFailure = refusalFailure(routeResult.reason);
  else if (!documentType) planFailure = refusalFailure("not_recognised");
  else {
    const targetResult = targetFor(routeResult.route, documentType);
    if (targetResult.ok) {
      route = routeResult.route;
      target = targetResult.target;
    } else planFailure = refusalFailure(targetResult.reason);
  }
  const used: TryRoute = { connectorId: route?.connector.id ?? "none", target };

  // Only a failure of the connector call can say something about the connection's health.
  const finish = async (failure: Failure, connectionId: string | null = null) => {
    const result = await recordFailure(db, { claim, used, isFinal, failure, connectionId, gate });
    if (gate.lane && failure.kind === "retryable" && isUnreachableCode(failure.code)) {
      await recordUnreachable(db, gate.lane, failure.code);
    }
    return result;
  };
  if (planFailure || !route || !documentType) {
    return finish(planFailure ?? refusalFailure("integration_incomplete"));
  }

  let content: Uint8Array;
  try {
    content = await getFileStore().get(claim.document.storageKey);
  } catch (error) {
    if (error instanceof FileNotFoundError) return finish(dispatchFailure("file_missing"));
    // The store itself is unreachable (object storage down): worth another try.
    return finish({ ...failureOf(error), kind: "retryable" });
  }

  const document: DeliveryDocument = {
    id: claim.document.id,
    documentType,
    category: categoryOf(documentType),
    fileName: claim.document.fileName,
    mimeType: claim.document.mimeType,
    sizeBytes: claim.document.sizeBytes,
    sha256: claim.document.sha256,
    recognisedFields: claim.document.recognisedFields,
    receivedAt: claim.document.createdAt,
    isTest: false,
  };
  let receipt: DeliveryReceipt;
  try {
    const connector = route.connector;
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry: route.packageEntry,
      connection:
        route.kind === "connection"
          ? {
              id: route.connection.id,
              portalId: claim.portalId,
              settings: claim.connectionSettings,
              secretsEncrypted: claim.connectionSecretsEncrypted,
            }
          : null,
      dossier: claim.dossier,
      dossierSettings: route.kind === "connection" ? route.dossierSettings : { addresses: route.addresses },
      // The same key for every try of this dispatch: what keeps a repeated try from delivering twice.
      idempotencyKey: claim.id,
      isFirstTry: claim.attemptNumber === 1,
      timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    });
    // A UBL e-invoice goes in the form the package takes (XML, PDF, or PDF with the XML), and
    // the attempt records which.
    const form = await deliveryFormOf({
      document,
      content,
      form: ublFormFor(route.packageEntry, connector.channel).form,
      locale: claim.dossier.locale,
    });
    if (form.sent) used.target = { ...used.target, ...form.sent };
    receipt = await runConnectorCall(ctx, () => connector.deliver(ctx, form.document, form.file));
  } catch (error) {
    const failure = failureOf(error);
    console.warn(
      `[deliver] dispatch ${claim.id} try ${claim.attemptNumber} failed: ${failure.kind} ${failure.code}`,
      error instanceof ConnectorError && error.vendorDetail ? { vendorDetail: error.vendorDetail } : {},
    );
    return finish(failure, route.kind === "connection" ? route.connection.id : null);
  }
  await options.afterConnectorCall?.();
  // The package has the document: the record is retried through an outage rather than lost (a
  // run that dies meanwhile leaves the lease to run out; the next run's read-back finds it there).
  await writeWhileDatabaseUnreachable(
    () =>
      recordSuccess(db, {
        claim,
        used,
        receipt,
        connectionId: route.kind === "connection" ? route.connection.id : null,
      }),
    { label: `the success of dispatch ${claim.id}` },
  );
  // The lane answered: a breaker that was counting or open is forgotten, its waiting dispatches woken.
  if (gate.lane && gate.breaker) await closeBreaker(db, gate.lane);
  return { outcome: "sent", attempt: claim.attemptNumber, packageReference: receipt.packageReference };
}

/** A claimed dispatch's keys, as values or as a prepared statement's placeholders. */
type ClaimKeys = DeliveryKeys;

function keysOf(claim: ClaimedDispatch): ClaimKeys {
  return { dispatchId: claim.id, portalId: claim.portalId, documentId: claim.document.id };
}

/** The claimed dispatch, while it is still active: the guard of every finishing update. */
function isStillActive(keys: ClaimKeys) {
  return and(eq(dispatches.id, keys.dispatchId), eq(dispatches.portalId, keys.portalId), isActive);
}

/**
 * Attempt succeeded, dispatch succeeded, document sent, and the connection it went through (if
 * any) healthy: one statement. The document moves only when this run finished the dispatch;
 * another run that finished it first moved it already. The connection's health is recorded either
 * way: the package took the document through it.
 */
async function recordSuccess(
  db: Db,
  input: { claim: ClaimedDispatch; used: TryRoute; receipt: DeliveryReceipt; connectionId: string | null },
): Promise<void> {
  const { claim, receipt } = input;
  await preparedFor(db).success.execute({
    ...keysOf(claim),
    attemptId: claim.attemptId,
    connector: input.used.connectorId,
    packageReference: receipt.packageReference,
    target: { ...input.used.target, ...receipt.target },
    // No connection (an e-mail route): null, which matches no row.
    connectionId: input.connectionId,
    now: new Date(),
  });
}

function prepareSuccess(db: Db) {
  const keys: ClaimKeys = {
    dispatchId: sql.placeholder("dispatchId"),
    portalId: sql.placeholder("portalId"),
    documentId: sql.placeholder("documentId"),
  };
  const packageReference = valueFor(attempts.packageReference, "packageReference");
  const target = valueFor(attempts.target, "target");
  const now = valueFor(attempts.finishedAt, "now");
  const attemptSucceeded = db.$with("attempt_succeeded").as(
    db
      .update(attempts)
      .set({
        outcome: "succeeded",
        connector: valueFor(attempts.connector, "connector"),
        packageReference,
        target,
        finishedAt: now,
      })
      .where(and(eq(attempts.id, sql.placeholder("attemptId")), eq(attempts.portalId, keys.portalId)))
      .returning({ id: attempts.id }),
  );
  const finished = db.$with("finished_dispatch").as(
    db
      .update(dispatches)
      .set({
        status: "succeeded",
        packageReference,
        target,
        leaseExpiresAt: LEASE_RELEASED,
        finishedAt: now,
        updatedAt: now,
      })
      .where(isStillActive(keys))
      .returning({ id: dispatches.id }),
  );
  const documentChanges = deliveredChanges(db, {
    keys,
    onlyIf: exists(db.select({ id: finished.id }).from(finished)),
    packageReference,
    now,
  });
  const connectionHealthy = db
    .$with("connection_healthy")
    .as(
      connectionHealthUpdate(
        db,
        { id: sql.placeholder("connectionId"), portalId: keys.portalId },
        { ok: true, at: sql.placeholder("now"), isCheck: false },
      ),
    );
  return db
    .with(attemptSucceeded, finished, ...documentChanges, connectionHealthy)
    .select({ id: finished.id })
    .from(finished)
    .prepare("deliver_record_success");
}

/**
 * Records a failed try and tells the job what to do next: throws RetryAfterJobError or Error to
 * retry, or (after finishing the document as failed) NonRetriableJobError. Never returns. The
 * records are one statement: attempt, dispatch, when the dispatch failed for good (by this run)
 * its document, and the connection's health when the failure is the connection's fault (refused
 * credentials, an unreachable server, a wrong folder: lib/connections/health.ts), on any try,
 * as that is what the connection is like now. `connectionId`: the connection the connector call
 * went through, null when the failure came from elsewhere (a refusal, a missing file).
 */
async function recordFailure(
  db: Db,
  input: {
    claim: ClaimedDispatch;
    used: TryRoute;
    isFinal: boolean;
    failure: Failure;
    connectionId: string | null;
    gate: Gate;
  },
): Promise<DeliverResult> {
  const { claim, failure, gate } = input;
  const now = new Date();
  // The retry horizon counts from the dispatch's first failure (lib/dispatch/retry-policy.ts).
  const failingSince = gate.failingSince ?? now;
  const horizonEnd = failingSince.getTime() + gate.horizonMs;
  const willRetry = failure.kind === "retryable" && !input.isFinal && now.getTime() < horizonEnd;
  // Capped exponential backoff with jitter, never before the Retry-After; the last try at the horizon.
  const nextAttemptAt = new Date(
    Math.min(
      now.getTime() + retryDelayMs(claim.attemptNumber, failure.retryAfterMs),
      Math.max(horizonEnd, now.getTime()),
    ),
  );
  const healthEvent = input.connectionId ? deliveryHealthEvent(now, failure) : null;
  const health: WithSubquery[] =
    input.connectionId && healthEvent
      ? [
          db
            .$with("connection_health")
            .as(connectionHealthUpdate(db, { id: input.connectionId, portalId: claim.portalId }, healthEvent)),
        ]
      : [];
  const attemptFailed = db.$with("attempt_failed").as(
    db
      .update(attempts)
      .set({
        outcome: attemptOutcomeOf(failure.kind),
        connector: input.used.connectorId,
        target: input.used.target,
        errorCode: failure.code,
        reason: failure.reason,
        finishedAt: now,
      })
      .where(and(eq(attempts.id, claim.attemptId), eq(attempts.portalId, claim.portalId)))
      .returning({ id: attempts.id }),
  );
  if (willRetry) {
    const requeued = db.$with("requeued_dispatch").as(
      db
        .update(dispatches)
        .set({
          status: "queued",
          nextAttemptAt,
          failingSince,
          waitingCode: failure.code,
          leaseExpiresAt: LEASE_RELEASED,
          updatedAt: now,
        })
        .where(isStillActive(keysOf(claim)))
        .returning({ id: dispatches.id }),
    );
    // The document's "waiting" event, once per dispatch: when its first try failed.
    const waitingEvent = gate.failingSince
      ? []
      : deliveryWaitingChanges(db, {
          keys: keysOf(claim),
          onlyIf: exists(db.select({ id: requeued.id }).from(requeued)),
          errorCode: failure.code,
          reason: failure.reason,
          nextAttemptAt,
          now,
        });
    await writeWhileDatabaseUnreachable(
      () =>
        db
          .with(attemptFailed, requeued, ...waitingEvent, ...health)
          .select({ id: requeued.id })
          .from(requeued),
      { label: `the failed try of dispatch ${claim.id}` },
    );
    return { outcome: "waiting", nextAttemptAt: nextAttemptAt.toISOString(), attemptCount: claim.attemptNumber };
  } else {
    const failed = db.$with("failed_dispatch").as(
      db
        .update(dispatches)
        .set({ status: "failed", leaseExpiresAt: LEASE_RELEASED, finishedAt: now, updatedAt: now })
        .where(isStillActive(keysOf(claim)))
        .returning({ id: dispatches.id }),
    );
    const failedByThisRun = exists(db.select({ id: failed.id }).from(failed));
    const documentChanges = deliveryFailedChanges(db, {
      keys: keysOf(claim),
      onlyIf: failedByThisRun,
      errorCode: failure.code,
      reason: failure.reason,
      now,
    });
    const records: WithSubquery[] = [attemptFailed, failed, ...documentChanges, ...health];
    await writeWhileDatabaseUnreachable(
      () =>
        db
          .with(...records)
          .select({ id: failed.id })
          .from(failed),
      { label: `the failure of dispatch ${claim.id}` },
    );
  }
  throw new NonRetriableJobError(`dispatch ${claim.id}: ${failure.kind} ${failure.code}`);
}

/**
 * The job's last word when it failed for a reason outside the delivery (the database kept
 * failing, say): a dispatch still active is failed and its document too, so nothing stays
 * "sending" forever. A dispatch the delivery already finished is left alone.
 */
export async function failUnfinishedDispatch(db: Db, dispatchId: string): Promise<boolean> {
  // One transaction, so a repeat after a lost answer finds the dispatch finished and does nothing.
  return writeWhileDatabaseUnreachable(() => failUnfinishedDispatchOnce(db, dispatchId), {
    label: `the give-up of dispatch ${dispatchId}`,
  });
}

async function failUnfinishedDispatchOnce(db: Db, dispatchId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [finished] = await tx
      .update(dispatches)
      .set({ status: "failed", leaseExpiresAt: LEASE_RELEASED, finishedAt: now, updatedAt: now })
      .where(and(eq(dispatches.id, dispatchId), inArray(dispatches.status, [...ACTIVE_STATUSES])))
      .returning({ portalId: dispatches.portalId, documentId: dispatches.documentId });
    if (!finished) return false;
    const code: DispatchErrorCode = "job_failed";
    await tx
      .update(attempts)
      .set({ outcome: "retryable_error", errorCode: code, reason: dispatchErrorMessageKey(code), finishedAt: now })
      .where(
        and(
          eq(attempts.dispatchId, dispatchId),
          eq(attempts.portalId, finished.portalId),
          eq(attempts.outcome, "running"),
        ),
      );
    if (finished.documentId) {
      const documentChanges = deliveryFailedChanges(tx, {
        keys: { documentId: finished.documentId, portalId: finished.portalId, dispatchId },
        onlyIf: sql`true`,
        errorCode: code,
        reason: dispatchErrorMessageKey(code),
        now,
      });
      const [documentFailed] = documentChanges;
      if (documentFailed)
        await tx
          .with(...documentChanges)
          .select({ one: sql`1` })
          .from(documentFailed);
    }
    return true;
  });
}
