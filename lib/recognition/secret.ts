import "server-only";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { env, isEmbedded, secretFromEnvOrDataDir } from "@/lib/env";

/** Where the recognition step posts its results (relative to the app's base URL). */
export const RECOGNITION_WEBHOOK_PATH = "/api/webhooks/recognition";

/**
 * The secret that signs recognition deliveries: RECOGNITION_WEBHOOK_SECRET, or for the embedded
 * default one generated once into .data/secrets/. Throws when DATABASE_URL is set without it.
 */
export function recognitionWebhookSecret(): string {
  return secretFromEnvOrDataDir("RECOGNITION_WEBHOOK_SECRET", env().RECOGNITION_WEBHOOK_SECRET);
}

export type RecognitionWebhookInfo = {
  path: string;
  /**
   * "generated": the embedded default made it and shows it to the office's admins.
   * "environment": the operator set RECOGNITION_WEBHOOK_SECRET; it is one secret for the whole
   * deployment, shared by every portal, so it is never shown in the app (an admin of one office
   * could otherwise sign deliveries for another's documents).
   * "missing": a deployment with its own database that has not set it; the webhook refuses all.
   */
  secretSource: "generated" | "environment" | "missing";
  /** Only for "generated". */
  secret: string | null;
};

/** What an admin needs to point the recognition step at Koppel. Admins only (connection.manage). */
export function getRecognitionWebhookInfo(actor: Actor, portalId: string): RecognitionWebhookInfo {
  authorize(actor, "connection.manage", { portalId });
  if (env().RECOGNITION_WEBHOOK_SECRET) {
    return { path: RECOGNITION_WEBHOOK_PATH, secretSource: "environment", secret: null };
  }
  if (!isEmbedded()) return { path: RECOGNITION_WEBHOOK_PATH, secretSource: "missing", secret: null };
  return { path: RECOGNITION_WEBHOOK_PATH, secretSource: "generated", secret: recognitionWebhookSecret() };
}
