import "server-only";
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { attempts, connections, dispatches } from "@/db/schema";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { deliveryHealthEvent, recordConnectionHealth } from "@/lib/connections/health";
import { createConnectorContext, type StoredConnection } from "@/lib/connections/runtime";
import { runConnectorCall } from "@/lib/connectors/call";
import { type ConnectorErrorCode, toConnectorError } from "@/lib/connectors/errors";
import type { DeliveryDocument, DeliveryReceipt } from "@/lib/connectors/types";
import { attemptOutcomeOf } from "@/lib/dispatch/outcome";
import {
  type DeliveryRoute,
  type DispatchTarget,
  loadConnectorLookup,
  planRoute,
  targetFor,
} from "@/lib/dispatch/plan";
import type { SendRefusal } from "@/lib/documents/refusals";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { ValidationError } from "@/lib/errors";
import { DOCUMENT_CATEGORIES, type DocumentCategory } from "@/lib/packages/catalog";
import { type DossierIntegrationContext, loadDossierIntegration } from "./load";
import { buildTestPdf } from "./test-pdf";

/** A test send waits at most this long for the target (the person is waiting on the page). */
export const TEST_SEND_TIMEOUT_MS = 15_000;

type Target = DispatchTarget;

export type TestSendResult =
  | { ok: true; dispatchId: string; packageReference: string | null; target: Target }
  | { ok: false; dispatchId: string; errorCode: ConnectorErrorCode; messageKey: string; target: Target };

type TestPlan = {
  route: DeliveryRoute;
  connection: StoredConnection | null;
  category: DocumentCategory;
  target: Target;
};

const TEST_DOCUMENT_TYPE = { purchase: "purchase_invoice", sales: "sales_invoice", other: "other" } as const;

/** What to tell the person when the route refuses and names no problem of its own. */
const REFUSAL_WITHOUT_PROBLEM: Partial<Record<SendRefusal, string>> = {
  no_integration: "integrations.errors.testNotConfigured",
  integration_none: "integrations.errors.testNoIntegrationNeeded",
};

function refuse(messageKey: string): never {
  throw new ValidationError({}, messageKey);
}

/**
 * Where the test goes: the dossier's route as deliveries take it (lib/dispatch/plan.ts), so a
 * connection that needs re-authorisation or is disabled is refused here as it is there. The test
 * is a purchase invoice, or for mail the first category that has an address.
 */
async function planTestSend(db: DbOrTx, portalId: string, context: DossierIntegrationContext): Promise<TestPlan> {
  const plan = planRoute(context, await loadConnectorLookup([context]));
  if (!plan.route.ok) {
    refuse(
      plan.problems[0]?.messageKey ??
        REFUSAL_WITHOUT_PROBLEM[plan.route.reason] ??
        "integrations.problems.settingsInvalid",
    );
  }
  const route = plan.route.route;
  const category =
    route.kind === "email" ? DOCUMENT_CATEGORIES.find((candidate) => route.addresses[candidate]) : "purchase";
  if (!category) refuse(plan.problems[0]?.messageKey ?? "integrations.problems.noAddress");
  const target = targetFor(route, TEST_DOCUMENT_TYPE[category]);
  if (!target.ok) refuse(plan.problems[0]?.messageKey ?? "integrations.problems.settingsInvalid");

  let connection: StoredConnection | null = null;
  if (route.kind === "connection") {
    // The runtime needs the connection's settings and encrypted secrets; only it decrypts them.
    const [row] = await db
      .select({ settings: connections.settings, secretsEncrypted: connections.secretsEncrypted })
      .from(connections)
      .where(and(eq(connections.id, route.connection.id), eq(connections.portalId, portalId)))
      .limit(1);
    if (!row) refuse("integrations.problems.connectionMissing");
    connection = { id: route.connection.id, portalId, settings: row.settings, secretsEncrypted: row.secretsEncrypted };
  }
  return { route, connection, category, target: target.target };
}

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
      connectionId: plan.route.kind === "connection" ? plan.route.connection.id : null,
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
      dossierId: scope.dossierId,
      documentId: null,
      fileName: null,
      requestedByUserId: actorUserId(actor),
      number: 1,
      trigger: "test",
      connector: plan.route.connector.id,
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
    const { connector } = plan.route;
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry: plan.route.packageEntry,
      connection: plan.connection,
      dossier: {
        id: context.dossier.id,
        name: context.dossier.name,
        companyNumber: context.dossier.companyNumber,
        vatNumber: context.dossier.vatNumber,
        locale: context.dossier.locale,
      },
      dossierSettings:
        plan.route.kind === "connection" ? plan.route.dossierSettings : { addresses: plan.route.addresses },
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
        outcome: attemptOutcomeOf(error.kind),
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
    // Refused credentials, an unreachable server, a wrong folder: the connection's health says
    // so, as after a failed delivery (a refused file leaves it alone).
    const health = plan.connection ? deliveryHealthEvent(finishedAt, error) : null;
    if (plan.connection && health) {
      await recordConnectionHealth(db, { id: plan.connection.id, portalId: scope.portalId }, health);
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
  if (plan.connection) {
    // The package took a document through the connection: it works, whatever a check said before.
    await recordConnectionHealth(
      db,
      { id: plan.connection.id, portalId: scope.portalId },
      { ok: true, at: finishedAt, isCheck: false },
    );
  }
  return { ok: true, dispatchId: dispatch.id, packageReference: receipt.packageReference, target };
}
