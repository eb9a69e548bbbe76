import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import { webhookSecretFor } from "@/lib/connections/oauth-app";
import { decryptConnectionSecrets } from "@/lib/connections/runtime";
import {
  DOCUMENTS_TOPIC,
  isExactWebhookSignatureValid,
  parseExactWebhook,
} from "@/lib/connectors/api/exact-online/webhook";
import { type ReadBackDeps, type ReadBackResult, readBackConnection } from "@/lib/read-back/service";

/**
 * `POST /api/webhooks/exact-online?connection=<id>`: Exact says a Document of a division changed.
 * Checked in this order, each with its own status and a body that names nothing:
 * 400 not a notification → 404 no Exact connection with a webhook secret under that id (unknown,
 * another package, or no secret: the same answer, so the endpoint cannot be used to find
 * connections) → 401 HashCode is not the signature of the Content → 200. A notification about a
 * Document we did not send (or already decided) is acknowledged and ignored; one about ours makes
 * the read-back ask Exact for that Document's status (never trusting the notification's own
 * words) and record it once, like a poll.
 */

/** Exact's notifications are small; anything larger is not one. */
export const EXACT_WEBHOOK_MAX_BYTES = 64 * 1024;

export type ExactWebhookOutcome =
  | { status: 200; handled: "ignored" | "read_back"; readBack?: ReadBackResult }
  | { status: 400 | 401 | 404 };

export async function processExactWebhook(
  db: DbOrTx,
  input: { connectionId: string | null; rawBody: string },
  deps: Omit<ReadBackDeps, "packageReferences"> = {},
): Promise<ExactWebhookOutcome> {
  const notification = parseExactWebhook(input.rawBody);
  if (!notification) return { status: 400 };

  const connectionId = z.uuid().safeParse(input.connectionId);
  if (!connectionId.success) return { status: 404 };
  const [connection] = await db
    .select({ id: connections.id, settings: connections.settings, secretsEncrypted: connections.secretsEncrypted })
    .from(connections)
    .where(
      and(
        eq(connections.id, connectionId.data),
        eq(connections.packageId, "exact-online"),
        eq(connections.channel, "api"),
      ),
    );
  if (!connection) return { status: 404 };
  // The connection's own app's secret, or the deployment's for a connection on the deployment's app.
  let secret: string | null;
  try {
    secret = webhookSecretFor("exact-online", connection.settings, decryptConnectionSecrets(connection));
  } catch {
    secret = null;
  }
  if (!secret) return { status: 404 };
  if (!isExactWebhookSignatureValid(notification.rawContent, notification.hashCode, secret)) return { status: 401 };

  if (notification.content.Topic !== DOCUMENTS_TOPIC) return { status: 200, handled: "ignored" };
  const key = notification.content.Key.trim().replace(/^\{|\}$/g, "");
  const readBack = await readBackConnection(db, connection.id, {
    ...deps,
    packageReferences: [...new Set([key, key.toLowerCase()])],
  });
  if (readBack.outcome === "skipped") return { status: 200, handled: "ignored" };
  return { status: 200, handled: "read_back", readBack };
}
