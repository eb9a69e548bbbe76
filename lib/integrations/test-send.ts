import "server-only";
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { attempts, connections, dispatches } from "@/db/schema";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { ConnectorError, type ConnectorErrorCode, toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import { createConnectorContext, runConnectorCall, type StoredConnection } from "@/lib/connectors/runtime";
import type { Connector, DeliveryDocument, DeliveryReceipt } from "@/lib/connectors/types";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { ValidationError } from "@/lib/errors";
import {
  DOCUMENT_CATEGORIES,
  type DocumentCategory,
  findPackage,
  freeMailPackage,
  isPackageId,
  type PackageEntry,
} from "@/lib/packages/catalog";
import { loadDossierIntegration } from "./load";
import { parseStoredIntegration, resolveEmailTarget } from "./status";
import { buildTestPdf } from "./test-pdf";

/** A test send waits at most this long for the target (the person is waiting on the page). */
export const TEST_SEND_TIMEOUT_MS = 15_000;

type Target = Record<string, string | number | boolean | null>;

export type TestSendResult =
  | { ok: true; dispatchId: string; packageReference: string | null; target: Target }
  | { ok: false; dispatchId: string; errorCode: ConnectorErrorCode; messageKey: string; target: Target };

type Plan = {
  connector: Connector | null;
  connectorId: string;
  packageEntry: PackageEntry;
  connection: (StoredConnection & { id: string }) | null;
  dossierSettings: unknown;
  category: DocumentCategory;
  target: Target;
};

const TEST_DOCUMENT_TYPE = { purchase: "purchase_invoice", sales: "sales_invoice", other: "other" } as const;

function refuse(messageKey: string): never {
  throw new ValidationError({}, messageKey);
}

async function planTestSend(
  db: DbOrTx,
  portalId: string,
  context: Awaited<ReturnType<typeof loadDossierIntegration>>,
): Promise<Plan> {
  if (!context.integration) refuse("integrations.errors.testNotConfigured");
  const stored = parseStoredIntegration(context.integration);
  if (!stored) refuse("integrations.problems.settingsInvalid");
  if (stored.kind === "none") refuse("integrations.errors.testNoIntegrationNeeded");

  if (stored.kind === "connection") {
    const summary = context.connection;
    if (!summary) refuse("integrations.problems.connectionMissing");
    if (summary.status === "disabled") refuse("integrations.problems.connectionDisabled");
    // The runtime needs the connection's settings and encrypted secrets; only it decrypts them.
    const [connectionRow] = await db
      .select({ settings: connections.settings, secretsEncrypted: connections.secretsEncrypted })
      .from(connections)
      .where(and(eq(connections.id, summary.id), eq(connections.portalId, portalId)))
      .limit(1);
    if (!connectionRow || !isPackageId(summary.packageId)) refuse("integrations.problems.connectionMissing");
    const connector = await loadConnector(summary.packageId, summary.channel);
    const packageEntry = findPackage(summary.packageId);
    if (!packageEntry) refuse("integrations.problems.connectionMissing");
    return {
      connector,
      connectorId: connector?.id ?? `${summary.channel}:${summary.packageId}`,
      packageEntry,
      connection: {
        id: summary.id,
        portalId,
        settings: connectionRow.settings,
        secretsEncrypted: connectionRow.secretsEncrypted,
      },
      dossierSettings: stored.settings,
      category: "purchase",
      target: {
        channel: summary.channel,
        packageId: summary.packageId,
        connectionId: summary.id,
        connection: summary.label,
        ...Object.fromEntries(
          Object.entries(stored.settings).filter((entry): entry is [string, string | number | boolean] =>
            ["string", "number", "boolean"].includes(typeof entry[1]),
          ),
        ),
      },
    };
  }

  const resolved = resolveEmailTarget(stored, context.dossier);
  if (!resolved) refuse("integrations.problems.settingsInvalid");
  // The test goes to the first category that has an address (purchase for nearly every package).
  const category = DOCUMENT_CATEGORIES.find((candidate) => resolved.addresses[candidate]);
  if (!category) refuse(resolved.problems[0]?.messageKey ?? "integrations.problems.noAddress");
  const packageEntry =
    resolved.packageEntry ?? freeMailPackage(stored.kind === "free_email" ? stored.settings.packageName : undefined);
  const connector =
    stored.kind === "email" && isPackageId(packageEntry.id)
      ? await loadConnector(packageEntry.id, "email")
      : // Free mail: no package, so no registry key; the e-mail channel's one connector serves it.
        ((await import("@/lib/connectors/email")).emailConnector as unknown as Connector);
  return {
    connector,
    connectorId: connector?.id ?? "email",
    packageEntry,
    connection: null,
    dossierSettings: { addresses: resolved.addresses },
    category,
    target: {
      channel: "email",
      packageId: stored.kind === "email" ? packageEntry.id : null,
      category,
      to: resolved.addresses[category] ?? null,
    },
  };
}

const OUTCOME_OF = { retryable: "retryable_error", permanent: "permanent_error", auth: "auth_error" } as const;

/**
 * "Send a test document": a small generated PDF goes to the dossier's current target through its
 * connector, with the same runtime (settings re-parsed, secrets decrypted, bounded by a 15 s
 * deadline) and recorded like any delivery: one dispatch (trigger "test", no document) and its one
 * attempt with connector, target, timings, outcome, error code and the package's reference. A
 * dossier without an integration, or with "no integration needed", is refused with a clear
 * message. Failures of the target are a result, not an exception.
 */
export async function sendTestDocument(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  options: { timeoutMs?: number; now?: Date } = {},
): Promise<TestSendResult> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierIntegration.configure");
  const context = await loadDossierIntegration(db, scope);
  const plan = await planTestSend(db, scope.portalId, context);
  const now = options.now ?? new Date();
  const date = now.toISOString().slice(0, 10);

  const content = buildTestPdf([
    "Koppel test document",
    `${context.dossier.name} — ${date}`,
    "This document checks that documents reach the bookkeeping package. You can delete it.",
    "Dit document controleert of documenten in het boekhoudpakket aankomen. Je mag het verwijderen.",
    "Ce document vérifie que les documents arrivent dans le logiciel comptable. Vous pouvez le supprimer.",
  ]);

  const [dispatch] = await db
    .insert(dispatches)
    .values({
      portalId: scope.portalId,
      dossierId: scope.dossierId,
      documentId: null,
      connectionId: plan.connection?.id ?? null,
      trigger: "test",
      requestedByUserId: actorUserId(actor),
      status: "running",
      target: plan.target,
      attemptCount: 1,
    })
    .returning({ id: dispatches.id });
  if (!dispatch) throw new Error("dispatch insert returned no row");
  const startedAt = new Date();
  const [attempt] = await db
    .insert(attempts)
    .values({
      portalId: scope.portalId,
      dispatchId: dispatch.id,
      documentId: null,
      number: 1,
      trigger: "test",
      connector: plan.connectorId,
      target: plan.target,
      outcome: "running",
      startedAt,
    })
    .returning({ id: attempts.id });
  if (!attempt) throw new Error("attempt insert returned no row");

  const document: DeliveryDocument = {
    id: dispatch.id,
    documentType: TEST_DOCUMENT_TYPE[plan.category],
    category: plan.category,
    fileName: `koppel-test-${date}.pdf`,
    mimeType: "application/pdf",
    sizeBytes: content.byteLength,
    sha256: createHash("sha256").update(content).digest("hex"),
    recognisedFields: {},
    receivedAt: new Date(),
    isTest: true,
  };

  let receipt: DeliveryReceipt;
  try {
    const connector = plan.connector;
    if (!connector) throw new ConnectorError("permanent", "connector_unavailable");
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry: plan.packageEntry,
      connection: plan.connection,
      dossier: {
        id: context.dossier.id,
        name: context.dossier.name,
        companyNumber: context.dossier.companyNumber,
        vatNumber: context.dossier.vatNumber,
      },
      dossierSettings: plan.dossierSettings,
      idempotencyKey: dispatch.id,
      timeoutMs: options.timeoutMs ?? TEST_SEND_TIMEOUT_MS,
    });
    receipt = await runConnectorCall(ctx, () => connector.deliver(ctx, document, { content }));
  } catch (caught) {
    const error = toConnectorError(caught);
    const finishedAt = new Date();
    await db
      .update(attempts)
      .set({
        outcome: OUTCOME_OF[error.kind],
        errorCode: error.code,
        // The translatable reason; vendor text (error.vendorDetail) stays in the logs.
        reason: error.messageKey,
        finishedAt,
      })
      .where(and(eq(attempts.id, attempt.id), eq(attempts.portalId, scope.portalId)));
    await db
      .update(dispatches)
      .set({ status: "failed", finishedAt, updatedAt: finishedAt })
      .where(and(eq(dispatches.id, dispatch.id), eq(dispatches.portalId, scope.portalId)));
    if (error.kind === "auth" && plan.connection) {
      // Refused credentials: the connection needs re-authorisation, as after a failed delivery.
      await db
        .update(connections)
        .set({ status: "needs_reauth", lastErrorCode: error.code, lastErrorAt: finishedAt, updatedAt: finishedAt })
        .where(and(eq(connections.id, plan.connection.id), eq(connections.portalId, scope.portalId)));
    }
    console.warn(`[sendTestDocument] dispatch ${dispatch.id} failed: ${error.kind} ${error.code}`);
    return {
      ok: false,
      dispatchId: dispatch.id,
      errorCode: error.code,
      messageKey: error.messageKey,
      target: plan.target,
    };
  }

  const finishedAt = new Date();
  const target = { ...plan.target, ...receipt.target };
  await db
    .update(attempts)
    .set({ outcome: "succeeded", packageReference: receipt.packageReference, target, finishedAt })
    .where(and(eq(attempts.id, attempt.id), eq(attempts.portalId, scope.portalId)));
  await db
    .update(dispatches)
    .set({
      status: "succeeded",
      packageReference: receipt.packageReference,
      target,
      finishedAt,
      updatedAt: finishedAt,
    })
    .where(and(eq(dispatches.id, dispatch.id), eq(dispatches.portalId, scope.portalId)));
  return { ok: true, dispatchId: dispatch.id, packageReference: receipt.packageReference, target };
}
