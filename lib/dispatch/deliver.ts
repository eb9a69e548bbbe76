import "server-only";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db";
import { attempts, connections, dispatches, documents, dossierIntegrations, dossiers } from "@/db/schema";
import { ConnectorError, type ConnectorErrorKind, toConnectorError } from "@/lib/connectors/errors";
import { createConnectorContext, runConnectorCall } from "@/lib/connectors/runtime";
import { categoryOf, type DeliveryDocument, type DeliveryReceipt } from "@/lib/connectors/types";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { getFileStore } from "@/lib/storage";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { type DeliveryRoute, type DispatchTarget, type IntegrationSnapshot, resolveRoute, targetFor } from "./plan";
import { type DispatchErrorCode, dispatchErrorMessageKey, refusalMessageKey, type SendRefusalReason } from "./refusals";

/** Tries per dispatch: the first and four retries (the deliver job's `retries` is one less). */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** One delivery may take this long (a 20 MB attachment to a slow mail API or FTP server). */
export const DELIVERY_TIMEOUT_MS = 120_000;

const ACTIVE_STATUSES = ["queued", "running"] as const;
const OUTCOME_OF: Record<ConnectorErrorKind, "retryable_error" | "permanent_error" | "auth_error"> = {
  retryable: "retryable_error",
  permanent: "permanent_error",
  auth: "auth_error",
};

export type DeliverOptions = {
  /** The job's last try: a retryable error fails the document instead of asking for another. */
  isFinalAttempt?: boolean;
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
  | { outcome: "skipped" };

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

function refusalFailure(reason: SendRefusalReason): Failure {
  return { kind: "permanent", code: reason, reason: refusalMessageKey(reason) };
}

const integrationConnections = alias(connections, "integration_connections");

/** The dispatch with everything a delivery needs, fresh, in one query. */
async function loadDispatch(db: Db, dispatchId: string) {
  const [row] = await db
    .select({
      id: dispatches.id,
      portalId: dispatches.portalId,
      dossierId: dispatches.dossierId,
      documentId: dispatches.documentId,
      connectionId: dispatches.connectionId,
      status: dispatches.status,
      trigger: dispatches.trigger,
      target: dispatches.target,
      document: {
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
      },
      integrationKind: dossierIntegrations.kind,
      integrationConnectionId: dossierIntegrations.connectionId,
      integrationPackageId: dossierIntegrations.packageId,
      integrationSettings: dossierIntegrations.settings,
      connectionId2: integrationConnections.id,
      connectionPackageId: integrationConnections.packageId,
      connectionChannel: integrationConnections.channel,
      connectionLabel: integrationConnections.label,
      connectionStatus: integrationConnections.status,
      // Read here only to hand to the connector runtime, which alone decrypts it.
      connectionSettings: integrationConnections.settings,
      connectionSecretsEncrypted: integrationConnections.secretsEncrypted,
    })
    .from(dispatches)
    .innerJoin(documents, and(eq(documents.id, dispatches.documentId), eq(documents.portalId, dispatches.portalId)))
    .innerJoin(dossiers, and(eq(dossiers.id, dispatches.dossierId), eq(dossiers.portalId, dispatches.portalId)))
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
    .where(eq(dispatches.id, dispatchId))
    .limit(1);
  return row;
}

type LoadedDispatch = NonNullable<Awaited<ReturnType<typeof loadDispatch>>>;

function snapshotOf(row: LoadedDispatch): IntegrationSnapshot {
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
      row.connectionId2 && row.connectionPackageId && row.connectionChannel && row.connectionStatus
        ? {
            id: row.connectionId2,
            packageId: row.connectionPackageId,
            channel: row.connectionChannel,
            label: row.connectionLabel ?? "",
            status: row.connectionStatus,
          }
        : null,
  };
}

/**
 * One try of one dispatch (design map, "Dispatch flow" step 2), called by the deliver job:
 * 1. claim: the dispatch moves to `running` and counts the try, and the try's attempt row is
 *    written as `running` (an attempt a dead process left `running` is closed as interrupted);
 * 2. load the document, its file, the dossier's integration and connection, all fresh;
 * 3. deliver through the connector with the dispatch id as idempotency key, bounded by a timeout;
 * 4. record: success → attempt succeeded, dispatch succeeded, document sent, in one transaction.
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
  const loaded = await loadDispatch(db, dispatchId);
  // Test sends run inline (lib/integrations/test-send.ts); a finished dispatch needs nothing.
  if (!loaded?.documentId || !(ACTIVE_STATUSES as readonly string[]).includes(loaded.status)) {
    return { outcome: "skipped" };
  }
  const documentId = loaded.documentId;

  let route: DeliveryRoute | null = null;
  let target: DispatchTarget = loaded.target as DispatchTarget;
  let planFailure: Failure | null = null;
  const routeResult = await resolveRoute(snapshotOf(loaded));
  if (!routeResult.ok) planFailure = refusalFailure(routeResult.reason);
  else if (!loaded.document.documentType) planFailure = refusalFailure("not_recognised");
  else {
    const targetResult = targetFor(routeResult.route, loaded.document.documentType);
    if (targetResult.ok) {
      route = routeResult.route;
      target = targetResult.target;
    } else planFailure = refusalFailure(targetResult.reason);
  }

  const claim = await claimDispatch(db, loaded, route?.connector.id ?? "none", target);
  if (!claim) return { outcome: "skipped" };
  const isFinal = Boolean(options.isFinalAttempt) || claim.number >= MAX_DELIVERY_ATTEMPTS;
  const finish = (failure: Failure) =>
    recordFailure(db, { loaded, documentId, attemptId: claim.attemptId, isFinal, failure });

  if (planFailure || !route || !loaded.document.documentType) {
    return finish(planFailure ?? refusalFailure("integration_incomplete"));
  }

  let content: Uint8Array;
  try {
    content = await getFileStore().get(loaded.document.storageKey);
  } catch (error) {
    if (error instanceof FileNotFoundError) return finish(dispatchFailure("file_missing"));
    // The store itself is unreachable (object storage down): worth another try.
    return finish({ ...failureOf(error), kind: "retryable" });
  }

  const document: DeliveryDocument = {
    id: documentId,
    documentType: loaded.document.documentType,
    category: categoryOf(loaded.document.documentType),
    fileName: loaded.document.fileName,
    mimeType: loaded.document.mimeType,
    sizeBytes: loaded.document.sizeBytes,
    sha256: loaded.document.sha256,
    recognisedFields: loaded.document.recognisedFields,
    receivedAt: loaded.document.createdAt,
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
              portalId: loaded.portalId,
              settings: loaded.connectionSettings,
              secretsEncrypted: loaded.connectionSecretsEncrypted,
            }
          : null,
      dossier: loaded.dossier,
      dossierSettings: route.kind === "connection" ? route.dossierSettings : { addresses: route.addresses },
      // The same key for every try of this dispatch: what keeps a repeated try from delivering twice.
      idempotencyKey: loaded.id,
      isFirstTry: claim.number === 1,
      timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    });
    receipt = await runConnectorCall(ctx, () => connector.deliver(ctx, document, { content }));
  } catch (error) {
    const failure = failureOf(error);
    console.warn(
      `[deliver] dispatch ${loaded.id} try ${claim.number} failed: ${failure.kind} ${failure.code}`,
      error instanceof ConnectorError && error.vendorDetail ? { vendorDetail: error.vendorDetail } : {},
    );
    return finish(failure);
  }
  await options.afterConnectorCall?.();
  await recordSuccess(db, { loaded, documentId, attemptId: claim.attemptId, target, receipt });
  return { outcome: "sent", attempt: claim.number, packageReference: receipt.packageReference };
}

/** Moves the dispatch to `running`, counts the try and opens its attempt row, atomically. */
async function claimDispatch(
  db: Db,
  loaded: LoadedDispatch,
  connectorId: string,
  target: DispatchTarget,
): Promise<{ number: number; attemptId: string } | null> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [claimed] = await tx
      .update(dispatches)
      .set({
        status: "running",
        attemptCount: sql`${dispatches.attemptCount} + 1`,
        nextAttemptAt: null,
        updatedAt: now,
      })
      .where(
        and(
          eq(dispatches.id, loaded.id),
          eq(dispatches.portalId, loaded.portalId),
          inArray(dispatches.status, [...ACTIVE_STATUSES]),
        ),
      )
      .returning({ attemptCount: dispatches.attemptCount });
    if (!claimed) return null;
    // A try that was still `running` never finished: its process stopped. This try takes over
    // with the same idempotency key, so whatever that one delivered is not delivered again.
    await tx
      .update(attempts)
      .set({
        outcome: "retryable_error",
        errorCode: "interrupted",
        reason: dispatchErrorMessageKey("interrupted"),
        finishedAt: now,
      })
      .where(
        and(
          eq(attempts.dispatchId, loaded.id),
          eq(attempts.portalId, loaded.portalId),
          eq(attempts.outcome, "running"),
        ),
      );
    const [attempt] = await tx
      .insert(attempts)
      .values({
        portalId: loaded.portalId,
        dispatchId: loaded.id,
        documentId: loaded.documentId,
        number: claimed.attemptCount,
        trigger: loaded.trigger,
        connector: connectorId,
        target,
        outcome: "running",
        startedAt: now,
      })
      .returning({ id: attempts.id });
    if (!attempt) throw new Error("attempt insert returned no row");
    return { number: claimed.attemptCount, attemptId: attempt.id };
  });
}

async function recordSuccess(
  db: Db,
  input: {
    loaded: LoadedDispatch;
    documentId: string;
    attemptId: string;
    target: DispatchTarget;
    receipt: DeliveryReceipt;
  },
): Promise<void> {
  const { loaded, documentId, receipt } = input;
  const target = { ...input.target, ...receipt.target };
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(attempts)
      .set({ outcome: "succeeded", packageReference: receipt.packageReference, target, finishedAt: now })
      .where(and(eq(attempts.id, input.attemptId), eq(attempts.portalId, loaded.portalId)));
    const [finished] = await tx
      .update(dispatches)
      .set({ status: "succeeded", packageReference: receipt.packageReference, target, finishedAt: now, updatedAt: now })
      .where(
        and(
          eq(dispatches.id, loaded.id),
          eq(dispatches.portalId, loaded.portalId),
          inArray(dispatches.status, [...ACTIVE_STATUSES]),
        ),
      )
      .returning({ id: dispatches.id });
    // Another run of this dispatch finished it already: it also moved the document.
    if (!finished) return;
    await tx
      .update(documents)
      .set({
        status: "sent",
        sentAt: now,
        packageReference: receipt.packageReference,
        lastErrorCode: null,
        lastErrorReason: null,
        autoSendSkipReason: null,
        updatedAt: now,
      })
      .where(
        and(eq(documents.id, documentId), eq(documents.portalId, loaded.portalId), eq(documents.status, "sending")),
      );
  });
}

/**
 * Records a failed try and tells the job what to do next: throws RetryAfterJobError or Error to
 * retry, or (after finishing the document as failed) NonRetriableJobError. Never returns.
 */
async function recordFailure(
  db: Db,
  input: { loaded: LoadedDispatch; documentId: string; attemptId: string; isFinal: boolean; failure: Failure },
): Promise<never> {
  const { loaded, documentId, failure } = input;
  const willRetry = failure.kind === "retryable" && !input.isFinal;
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(attempts)
      .set({ outcome: OUTCOME_OF[failure.kind], errorCode: failure.code, reason: failure.reason, finishedAt: now })
      .where(and(eq(attempts.id, input.attemptId), eq(attempts.portalId, loaded.portalId)));
    const isThisDispatch = and(
      eq(dispatches.id, loaded.id),
      eq(dispatches.portalId, loaded.portalId),
      inArray(dispatches.status, [...ACTIVE_STATUSES]),
    );
    if (willRetry) {
      await tx
        .update(dispatches)
        .set({
          status: "queued",
          nextAttemptAt: failure.retryAfterMs ? new Date(now.getTime() + failure.retryAfterMs) : null,
          updatedAt: now,
        })
        .where(isThisDispatch);
      return;
    }
    const [finished] = await tx
      .update(dispatches)
      .set({ status: "failed", finishedAt: now, updatedAt: now })
      .where(isThisDispatch)
      .returning({ id: dispatches.id });
    if (!finished) return;
    await tx
      .update(documents)
      .set({ status: "failed", lastErrorCode: failure.code, lastErrorReason: failure.reason, updatedAt: now })
      .where(
        and(eq(documents.id, documentId), eq(documents.portalId, loaded.portalId), eq(documents.status, "sending")),
      );
    if (failure.kind === "auth" && loaded.connectionId2) {
      // The package refused the credentials: every dossier on this connection is affected until
      // an admin re-authorises it. A disabled connection stays disabled.
      await tx
        .update(connections)
        .set({ status: "needs_reauth", lastErrorCode: failure.code, lastErrorAt: now, updatedAt: now })
        .where(
          and(
            eq(connections.id, loaded.connectionId2),
            eq(connections.portalId, loaded.portalId),
            ne(connections.status, "disabled"),
          ),
        );
    }
  });
  const message = `dispatch ${loaded.id}: ${failure.kind} ${failure.code}`;
  if (!willRetry) throw new NonRetriableJobError(message);
  if (failure.retryAfterMs) throw new RetryAfterJobError(message, failure.retryAfterMs);
  throw new Error(message);
}

/**
 * The job's last word when it failed for a reason outside the delivery (the database kept
 * failing, say): a dispatch still active is failed and its document too, so nothing stays
 * "sending" forever. A dispatch the delivery already finished is left alone.
 */
export async function failUnfinishedDispatch(db: Db, dispatchId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const [finished] = await tx
      .update(dispatches)
      .set({ status: "failed", finishedAt: now, updatedAt: now })
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
      await tx
        .update(documents)
        .set({ status: "failed", lastErrorCode: code, lastErrorReason: dispatchErrorMessageKey(code), updatedAt: now })
        .where(
          and(
            eq(documents.id, finished.documentId),
            eq(documents.portalId, finished.portalId),
            eq(documents.status, "sending"),
          ),
        );
    }
    return true;
  });
}
