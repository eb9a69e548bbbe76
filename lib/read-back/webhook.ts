import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import { webhookSecretFor } from "@/lib/connections/oauth-app";
import { decryptConnectionSecrets } from "@/lib/connections/runtime";
import { loadConnector } from "@/lib/connectors/registry";
import type { ConnectorWebhook } from "@/lib/connectors/types";
import { isPackageId, type PackageId } from "@/lib/packages/catalog";
import { type ReadBackDeps, type ReadBackResult, readBackConnection } from "./service";

/**
 * `POST /api/webhooks/<package id>?connection=<id>`: a package says documents of a connection
 * changed. The connector reads its vendor's format and signature (Connector.webhook); everything
 * else is the same for every package. Checked in this order, each with its own status and a body
 * that names nothing: 404 the package takes no webhook → 413 body over the connector's limit → 400
 * not a notification → 404 no connection of that package with a webhook secret under that id
 * (unknown, another package, or no secret: the same answer, so the endpoint cannot be used to find
 * connections) → 401 not signed with that secret → 200. A notification about documents Koppel did
 * not send (or already decided) is acknowledged and ignored; one about ours makes the read-back
 * ask the package for their status (never trusting the notification's own words) and record it
 * once, like a poll.
 */

/** A package whose connector takes webhooks, with that connector's part. */
export type WebhookReceiver = { packageId: PackageId; webhook: ConnectorWebhook<unknown> };

export type PackageWebhookOutcome =
  | { status: 200; handled: "ignored" | "read_back"; readBack?: ReadBackResult }
  | { status: 400 | 401 | 404 };

/** The package's webhook, or null when the package has no API connector that takes one (404). */
export async function findWebhookReceiver(
  packageId: string,
  deps: Pick<ReadBackDeps, "loadConnector"> = {},
): Promise<WebhookReceiver | null> {
  if (!isPackageId(packageId)) return null;
  const connector = await (deps.loadConnector ?? loadConnector)(packageId, "api");
  return connector?.webhook ? { packageId, webhook: connector.webhook } : null;
}

export async function processPackageWebhook(
  db: DbOrTx,
  input: { receiver: WebhookReceiver; connectionId: string | null; rawBody: string },
  deps: Omit<ReadBackDeps, "packageReferences"> = {},
): Promise<PackageWebhookOutcome> {
  const { packageId, webhook } = input.receiver;
  const notification = webhook.parse(input.rawBody);
  if (notification === null) return { status: 400 };

  const connectionId = z.uuid().safeParse(input.connectionId);
  if (!connectionId.success) return { status: 404 };
  const [connection] = await db
    .select({ id: connections.id, settings: connections.settings, secretsEncrypted: connections.secretsEncrypted })
    .from(connections)
    .where(
      and(eq(connections.id, connectionId.data), eq(connections.packageId, packageId), eq(connections.channel, "api")),
    );
  if (!connection) return { status: 404 };
  // The connection's own app's secret, or the deployment's for a connection on the deployment's app.
  let secret: string | null;
  try {
    secret = webhookSecretFor(packageId, connection.settings, decryptConnectionSecrets(connection));
  } catch {
    secret = null;
  }
  if (!secret) return { status: 404 };
  if (!webhook.isSignedWith(notification, secret)) return { status: 401 };

  const packageReferences = webhook.packageReferencesOf(notification);
  if (packageReferences.length === 0) return { status: 200, handled: "ignored" };
  const readBack = await readBackConnection(db, connection.id, { ...deps, packageReferences });
  if (readBack.outcome === "skipped") return { status: 200, handled: "ignored" };
  return { status: 200, handled: "read_back", readBack };
}
