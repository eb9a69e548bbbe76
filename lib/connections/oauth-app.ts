import "server-only";
import type { OAuthApp } from "@/lib/connectors/types";
import { type Env, env } from "@/lib/env";

/** The environment variables holding a package's deployment-wide OAuth app, by package id. */
const APP_ENV_NAMES = {
  "exact-online": { clientId: "EXACT_ONLINE_CLIENT_ID", clientSecret: "EXACT_ONLINE_CLIENT_SECRET" },
  "wolters-kluwer": { clientId: "WOLTERS_KLUWER_CLIENT_ID", clientSecret: "WOLTERS_KLUWER_CLIENT_SECRET" },
} as const satisfies Record<string, { clientId: keyof Env; clientSecret: keyof Env }>;

/** The names of a package's app variables, for the operator's log line (never for a person's message). */
export function oauthAppEnvNames(packageId: string): string[] {
  const names = APP_ENV_NAMES[packageId as keyof typeof APP_ENV_NAMES];
  return names ? [names.clientId, names.clientSecret] : [];
}

function stringField(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== "object") return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * The OAuth app a connection authorises with: its own client id (settings.clientId) and secret
 * (secrets.clientSecret) when the office registered an app of its own, else the deployment's.
 * Both halves come from the same place, so a connection never mixes its id with another secret.
 */
export function oauthAppFor(packageId: string, settings: unknown, secrets: unknown): OAuthApp | null {
  const ownId = stringField(settings, "clientId");
  const ownSecret = stringField(secrets, "clientSecret");
  if (ownId && ownSecret) return { clientId: ownId, clientSecret: ownSecret };
  const names = APP_ENV_NAMES[packageId as keyof typeof APP_ENV_NAMES];
  const clientId = names ? env()[names.clientId] : undefined;
  const clientSecret = names ? env()[names.clientSecret] : undefined;
  if (clientId && clientSecret) return { clientId, clientSecret };
  return null;
}

/** The environment variables holding the webhook secret of a package's deployment-wide app. */
const WEBHOOK_SECRET_FROM_ENV: Record<string, () => string | undefined> = {
  "exact-online": () => env().EXACT_ONLINE_WEBHOOK_SECRET,
};

/**
 * The secret a package signs its webhook notifications for this connection with. It belongs to the
 * OAuth app, like the client secret: a connection on the office's own app (settings.clientId and
 * secrets.clientSecret) uses the webhook secret typed on it (secrets.webhookSecret), one on the deployment's app the
 * deployment's (e.g. EXACT_ONLINE_WEBHOOK_SECRET). Null when there is none: no notifications.
 */
export function webhookSecretFor(packageId: string, settings: unknown, secrets: unknown): string | null {
  // The same choice of app as oauthAppFor: the office's own only with both its id and secret.
  if (stringField(settings, "clientId") && stringField(secrets, "clientSecret")) {
    return stringField(secrets, "webhookSecret")?.trim() ?? null;
  }
  return WEBHOOK_SECRET_FROM_ENV[packageId]?.()?.trim() || null;
}
