import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections, dossierIntegrations } from "@/db/schema";
import { webhookSecretFor } from "@/lib/connections/oauth-app";
import { createConnectorContext, decryptConnectionSecrets } from "@/lib/connections/runtime";
import { exactDossierSettingsSchema } from "@/lib/connectors/api/exact-online/config";
import { ensureDocumentChangesSubscription } from "@/lib/connectors/api/exact-online/webhook";
import { runConnectorCall } from "@/lib/connectors/call";
import { toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import type { Connector } from "@/lib/connectors/types";
import { env } from "@/lib/env";
import { findPackage } from "@/lib/packages/catalog";

/**
 * After a dossier's Exact Online integration is saved with a division: subscribe that division's
 * Document changes to our webhook (app/api/webhooks/exact-online?connection=<id>), so a refusal
 * comes back within seconds instead of at the next read-back poll. Only when it can work:
 * - Koppel's public address (AUTH_URL) is https (Exact calls only https callbacks);
 * - a webhook secret is there to verify the notifications: the one typed on the connection (its
 *   own app) or EXACT_ONLINE_WEBHOOK_SECRET (the deployment's app), see webhookSecretFor;
 * - the connection is authorised.
 * Idempotent: a division that already has a subscription to our callback is left as it is. Never
 * throws: saving the dossier never depends on it, and the read-back poll still finds every
 * verdict. What happened is logged (no secret, no token) and returned for tests.
 */

/** A save waits at most this long for Exact (two calls: list, maybe create). */
export const SUBSCRIBE_TIMEOUT_MS = 8_000;

export type ExactSubscriptionOutcome =
  | { outcome: "subscribed" | "already_subscribed"; subscriptionId: string }
  | { outcome: "skipped"; reason: "not_exact" | "no_division" | "not_https" | "no_webhook_secret" }
  | { outcome: "failed"; errorCode: string };

export type ExactSubscriptionDeps = {
  /** Koppel's public address; default AUTH_URL. */
  publicUrl?: string;
  loadConnector?: typeof loadConnector;
  timeoutMs?: number;
};

/** Where Exact sends this connection's notifications. */
export function exactWebhookCallbackUrl(publicUrl: string, connectionId: string): string {
  const url = new URL("/api/webhooks/exact-online", publicUrl);
  url.searchParams.set("connection", connectionId);
  return url.toString();
}

function isHttps(value: string | undefined): value is string {
  if (!value) return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

export async function subscribeDossierDivision(
  db: DbOrTx,
  input: { portalId: string; connectionId: string; dossierSettings: unknown },
  deps: ExactSubscriptionDeps = {},
): Promise<ExactSubscriptionOutcome> {
  const outcome = await subscribe(db, input, deps).catch(
    (error: unknown): ExactSubscriptionOutcome => ({ outcome: "failed", errorCode: toConnectorError(error).code }),
  );
  if (outcome.outcome === "failed") {
    console.warn("[exact-webhook] subscribing the division failed; read-back polling still applies", {
      connectionId: input.connectionId,
      errorCode: outcome.errorCode,
    });
  } else if (outcome.outcome === "subscribed") {
    console.info("[exact-webhook] division subscribed to Document changes", { connectionId: input.connectionId });
  }
  return outcome;
}

async function subscribe(
  db: DbOrTx,
  input: { portalId: string; connectionId: string; dossierSettings: unknown },
  deps: ExactSubscriptionDeps,
): Promise<ExactSubscriptionOutcome> {
  const [connection] = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
      settings: connections.settings,
      secretsEncrypted: connections.secretsEncrypted,
    })
    .from(connections)
    .where(and(eq(connections.id, input.connectionId), eq(connections.portalId, input.portalId)));
  const packageEntry = findPackage("exact-online");
  if (connection?.packageId !== "exact-online" || connection.channel !== "api" || !packageEntry) {
    return { outcome: "skipped", reason: "not_exact" };
  }
  const dossierSettings = exactDossierSettingsSchema.safeParse(input.dossierSettings ?? {});
  if (!dossierSettings.success) return { outcome: "skipped", reason: "no_division" };
  const publicUrl = deps.publicUrl ?? env().AUTH_URL;
  if (!isHttps(publicUrl)) return { outcome: "skipped", reason: "not_https" };
  if (!webhookSecretFor(connection.packageId, connection.settings, decryptConnectionSecrets(connection))) {
    return { outcome: "skipped", reason: "no_webhook_secret" };
  }
  const connector: Connector | null = await (deps.loadConnector ?? loadConnector)("exact-online", "api");
  if (!connector) return { outcome: "skipped", reason: "not_exact" };

  const ctx = createConnectorContext({
    db,
    connector,
    packageEntry,
    connection,
    dossier: null,
    dossierSettings: null,
    idempotencyKey: `exact-subscribe:${connection.id}:${dossierSettings.data.division}`,
    timeoutMs: deps.timeoutMs ?? SUBSCRIBE_TIMEOUT_MS,
  });
  const callbackUrl = exactWebhookCallbackUrl(publicUrl, connection.id);
  const result = await runConnectorCall(ctx, () =>
    // The context is built from the Exact connector's own schemas.
    ensureDocumentChangesSubscription(
      ctx as Parameters<typeof ensureDocumentChangesSubscription>[0],
      dossierSettings.data.division,
      callbackUrl,
    ),
  );
  return { outcome: result.isNew ? "subscribed" : "already_subscribed", subscriptionId: result.subscriptionId };
}

/**
 * Subscribes every division the connection's dossiers are mapped to: after an admin typed the
 * webhook secret or (re)connected the connection, the dossiers saved before could not be
 * subscribed yet. Once per division, one at a time, each as subscribeDossierDivision (idempotent,
 * bounded, never throws); it stops at the first reason that holds for the whole connection (not
 * Exact, no https address, no webhook secret). Meant to run after the response (next/server
 * `after`): a connection with many divisions takes a few calls each.
 */
export async function subscribeConnectionDivisions(
  db: DbOrTx,
  input: { portalId: string; connectionId: string },
  deps: ExactSubscriptionDeps = {},
): Promise<ExactSubscriptionOutcome[]> {
  const mapped = await db
    .select({ settings: dossierIntegrations.settings })
    .from(dossierIntegrations)
    .where(
      and(
        eq(dossierIntegrations.portalId, input.portalId),
        eq(dossierIntegrations.connectionId, input.connectionId),
        eq(dossierIntegrations.kind, "connection"),
      ),
    );
  const divisions = new Set<number>();
  const outcomes: ExactSubscriptionOutcome[] = [];
  for (const { settings } of mapped) {
    const parsed = exactDossierSettingsSchema.safeParse(settings ?? {});
    if (!parsed.success || divisions.has(parsed.data.division)) continue;
    divisions.add(parsed.data.division);
    const outcome = await subscribeDossierDivision(db, { ...input, dossierSettings: settings }, deps);
    outcomes.push(outcome);
    if (outcome.outcome === "skipped") break;
  }
  return outcomes;
}
