import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections, dossierIntegrations } from "@/db/schema";
import { runConnectorCall } from "@/lib/connectors/call";
import { toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import type { ConnectionHookInput, ConnectionHookOutcome, Connector } from "@/lib/connectors/types";
import { env } from "@/lib/env";
import { findPackage, isPackageId, type PackageEntry } from "@/lib/packages/catalog";
import { webhookSecretFor } from "./oauth-app";
import { createConnectorContext, decryptConnectionSecrets, type StoredConnection } from "./runtime";

/**
 * Runs a connector's after-save hooks (Connector.afterDossierMapped, afterConnectionSaved): the
 * platform loads what they need (the connection, its secrets, the mapped dossiers' settings, the
 * webhook address and secret) and the connector decides what to do with its package (Exact Online
 * subscribes divisions to its webhook). A connector without the hook costs one lookup and no call.
 * Never throws: a save never depends on a hook, and the package's own read-back still finds every
 * verdict. Outcomes are logged (no secret, no token) and returned for tests.
 */

/** A dossier save waits at most this long for the hook (Exact: two calls, list and maybe create). */
export const AFTER_DOSSIER_MAPPED_TIMEOUT_MS = 8_000;
/** Runs after the response; a connection with many mapped divisions takes a few calls each. */
export const AFTER_CONNECTION_SAVED_TIMEOUT_MS = 60_000;

/** What tests replace. */
export type ConnectionHookDeps = {
  /** Koppel's public address; default AUTH_URL. */
  publicUrl?: string;
  loadConnector?: typeof loadConnector;
  timeoutMs?: number;
};

type HookName = "afterDossierMapped" | "afterConnectionSaved";

type HookTarget = { connection: StoredConnection & { packageId: string }; connector: Connector; entry: PackageEntry };

/** Where a package sends its notifications for one connection (app/api/webhooks/[packageId]). */
export function packageWebhookUrl(publicUrl: string, packageId: string, connectionId: string): string {
  const url = new URL(`/api/webhooks/${encodeURIComponent(packageId)}`, publicUrl);
  url.searchParams.set("connection", connectionId);
  return url.toString();
}

/** This portal's connection and its connector, when the connector has the hook; else why not. */
async function loadHookTarget(
  db: DbOrTx,
  input: { portalId: string; connectionId: string },
  hook: HookName,
  deps: ConnectionHookDeps,
): Promise<HookTarget | { skipped: "not_found" | "no_hook" }> {
  const [connection] = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
      settings: connections.settings,
      // Read here only to hand it to the connector runtime, which alone decrypts it.
      secretsEncrypted: connections.secretsEncrypted,
    })
    .from(connections)
    .where(and(eq(connections.id, input.connectionId), eq(connections.portalId, input.portalId)));
  const entry = connection ? findPackage(connection.packageId) : undefined;
  if (!connection || !entry || !isPackageId(connection.packageId)) return { skipped: "not_found" };
  const connector = await (deps.loadConnector ?? loadConnector)(connection.packageId, connection.channel);
  if (!connector?.[hook]) return { skipped: "no_hook" };
  return { connection, connector, entry };
}

/** The webhook address and secret the hooks get (ConnectionHookInput). */
function hookInput({ connection, connector }: HookTarget, deps: ConnectionHookDeps): ConnectionHookInput {
  const publicUrl = deps.publicUrl ?? env().AUTH_URL;
  return {
    webhookUrl:
      connector.webhook && publicUrl ? packageWebhookUrl(publicUrl, connection.packageId, connection.id) : null,
    webhookSecret: connector.webhook
      ? webhookSecretFor(connection.packageId, connection.settings, decryptConnectionSecrets(connection))
      : null,
  };
}

function contextFor(db: DbOrTx, target: HookTarget, hook: HookName, timeoutMs: number) {
  return createConnectorContext({
    db,
    connector: target.connector,
    packageEntry: target.entry,
    connection: target.connection,
    dossier: null,
    dossierSettings: null,
    idempotencyKey: `${hook}:${target.connection.id}`,
    timeoutMs,
  });
}

function logOutcome(hook: HookName, connection: { id: string; packageId?: string }, outcome: ConnectionHookOutcome) {
  const meta = { connectionId: connection.id, ...(connection.packageId ? { packageId: connection.packageId } : {}) };
  if (outcome.outcome === "failed") {
    console.warn(`[connection-hooks] ${hook} failed; the package's read-back still applies`, {
      ...meta,
      errorCode: outcome.errorCode,
    });
  } else if (outcome.outcome === "done") {
    console.info(`[connection-hooks] ${hook}: ${outcome.action}`, meta);
  }
}

const failed = (error: unknown): ConnectionHookOutcome => ({
  outcome: "failed",
  errorCode: toConnectorError(error).code,
});

/**
 * After a dossier's integration is saved with a connection: the connector's afterDossierMapped
 * with the dossier settings parsed by its schema. Awaited by the save, bounded by
 * AFTER_DOSSIER_MAPPED_TIMEOUT_MS.
 */
export async function runAfterDossierMapped(
  db: DbOrTx,
  input: { portalId: string; connectionId: string; dossierSettings: unknown },
  deps: ConnectionHookDeps = {},
): Promise<ConnectionHookOutcome> {
  let connection: { id: string; packageId?: string } = { id: input.connectionId };
  let outcome: ConnectionHookOutcome;
  try {
    const target = await loadHookTarget(db, input, "afterDossierMapped", deps);
    if ("skipped" in target) return { outcome: "skipped", reason: target.skipped };
    connection = target.connection;
    const hook = target.connector.afterDossierMapped;
    const dossierSettings = target.connector.dossierSettingsSchema.safeParse(input.dossierSettings ?? {});
    if (!hook || !dossierSettings.success) return { outcome: "skipped", reason: "invalid_dossier_settings" };
    const ctx = contextFor(db, target, "afterDossierMapped", deps.timeoutMs ?? AFTER_DOSSIER_MAPPED_TIMEOUT_MS);
    const hookInputs = { ...hookInput(target, deps), dossierSettings: dossierSettings.data };
    outcome = await runConnectorCall(ctx, () => hook.call(target.connector, ctx, hookInputs));
  } catch (error) {
    outcome = failed(error);
  }
  logOutcome("afterDossierMapped", connection, outcome);
  return outcome;
}

/**
 * After an admin changed a connection or (re)authorised it: the connector's afterConnectionSaved
 * with the settings of every dossier of the portal mapped to it. Meant to run after the response
 * (lib/actions/after-response.ts), bounded by AFTER_CONNECTION_SAVED_TIMEOUT_MS.
 */
export async function runAfterConnectionSaved(
  db: DbOrTx,
  input: { portalId: string; connectionId: string },
  deps: ConnectionHookDeps = {},
): Promise<ConnectionHookOutcome[]> {
  let connection: { id: string; packageId?: string } = { id: input.connectionId };
  let outcomes: ConnectionHookOutcome[];
  try {
    const target = await loadHookTarget(db, input, "afterConnectionSaved", deps);
    if ("skipped" in target) return [];
    connection = target.connection;
    const hook = target.connector.afterConnectionSaved;
    if (!hook) return [];
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
    const mappedDossierSettings = mapped.flatMap(({ settings }) => {
      const parsed = target.connector.dossierSettingsSchema.safeParse(settings ?? {});
      return parsed.success ? [parsed.data] : [];
    });
    const ctx = contextFor(db, target, "afterConnectionSaved", deps.timeoutMs ?? AFTER_CONNECTION_SAVED_TIMEOUT_MS);
    const hookInputs = { ...hookInput(target, deps), mappedDossierSettings };
    outcomes = await runConnectorCall(ctx, () => hook.call(target.connector, ctx, hookInputs));
  } catch (error) {
    outcomes = [failed(error)];
  }
  for (const outcome of outcomes) logOutcome("afterConnectionSaved", connection, outcome);
  return outcomes;
}
