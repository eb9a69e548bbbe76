import { createHash } from "node:crypto";
import { z } from "zod";
import type { DeliveryThrottle } from "../../types";
import { EXACT_REGIONS, regionBaseUrl } from "./assumptions";

/**
 * The Exact Online connector's schemas. The connections page generates its form from settings
 * and secrets (labels from `.meta({ labelKey, hintKey })`, keys under connectors.exact.fields);
 * the grant's fields are `.meta({ managed: true })`: the OAuth platform fills them, the form
 * never shows them. A connection saved before the admin connected holds at most the client
 * secret.
 */

const LABELS = "connectors.exact.fields";
const label = (name: string) => ({ labelKey: `${LABELS}.${name}.label`, hintKey: `${LABELS}.${name}.hint` });
const managed = { managed: true } as const;

export const exactSettingsSchema = z.object({
  /** The country instance the office's Exact Online runs on; Belgium unless told otherwise. */
  region: z.enum(EXACT_REGIONS).default("be").meta(label("region")),
  /**
   * Another start URL (tests and the local demo point at a fake). Honoured only for Exact's own
   * hosts unless the deployment allows custom API hosts (lib/connectors/api/base-url.ts).
   */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .trim()
    .max(200)
    .optional()
    .meta(label("baseUrl")),
  /** The office's own App Center app; blank = the deployment's app (EXACT_ONLINE_CLIENT_ID). */
  clientId: z.string().trim().min(1).max(100).optional().meta(label("clientId")),
});
export type ExactSettings = z.infer<typeof exactSettingsSchema>;

const isoTimestamp = z.iso.datetime({ offset: true });

export const exactSecretsSchema = z.object({
  /** Secret of the office's own App Center app (with settings.clientId). */
  clientSecret: z.string().min(1).max(200).optional().meta(label("clientSecret")),
  accessToken: z.string().min(1).optional().meta(managed),
  accessTokenExpiresAt: isoTimestamp.optional().meta(managed),
  /** Rotates on every refresh: the old one stops working the moment a new one is issued. */
  refreshToken: z.string().min(1).optional().meta(managed),
  /** When the grant was last used (code exchange or refresh): it dies ~30 days later unused. */
  refreshedAt: isoTimestamp.optional().meta(managed),
  /**
   * The webhook secret of the office's own App Center app (with settings.clientId): Exact signs
   * every notification with its app's secret (HashCode), so it belongs to the app, not the grant.
   * Typed by the admin, write-only; blank = the deployment's EXACT_ONLINE_WEBHOOK_SECRET, which
   * only fits connections that use the deployment's app (exactWebhookSecretOf). See
   * docs/integrations/exact-online.md, "Rejections".
   */
  webhookSecret: z.string().trim().min(16).max(200).optional().meta(label("webhookSecret")),
});
export type ExactSecrets = z.infer<typeof exactSecretsSchema>;

/** A dossier picks its division (company) from the list the connection's Exact user sees. */
export const exactDossierSettingsSchema = z.object({
  division: z.number().int().positive().meta({ labelKey: "connectors.apiFields.division" }),
});
export type ExactDossierSettings = z.infer<typeof exactDossierSettingsSchema>;

/** The start URL as configured, without checking the host (see client.ts for the checked one). */
function configuredBaseUrl(settings: ExactSettings): string {
  return (settings.baseUrl?.trim() || regionBaseUrl(settings.region)).replace(/\/+$/, "").toLowerCase();
}

/**
 * The key that deliveries to one division through one Exact app share (Exact's limits are per
 * app and division): for job-level throttling, next to the connector's own limiter. Null when the
 * settings do not parse. Short and free of secrets: it travels in job payloads.
 */
export function exactDeliveryThrottleKey(connectionSettings: unknown, dossierSettings: unknown): string | null {
  const settings = exactSettingsSchema.safeParse(connectionSettings ?? {});
  const dossier = exactDossierSettingsSchema.safeParse(dossierSettings ?? {});
  if (!settings.success || !dossier.success) return null;
  const app = `${configuredBaseUrl(settings.data)}|${settings.data.clientId ?? "deployment"}`;
  const digest = createHash("sha256").update(app).digest("hex").slice(0, 16);
  return `exact-online:${digest}:${dossier.data.division}`;
}

/**
 * Deliveries a minute that may start per division and app. Exact allows 60 API calls a minute per
 * division, and a first try costs 2 (the Document, then its DocumentAttachment), so 30 deliveries
 * use the whole minute. The connector's own limiter, driven by the X-RateLimit-Minutely-* headers,
 * is the precise guard (it also counts a retry's look-up and anyone else's calls on that division);
 * this throttle only keeps deliver runs from starting just to wait inside it.
 */
export const EXACT_DELIVERIES_PER_MINUTE = 30;

/** Exact's delivery throttle: EXACT_DELIVERIES_PER_MINUTE per app, country instance and division. */
export const exactDeliveryThrottle = {
  deliveriesPerMinute: EXACT_DELIVERIES_PER_MINUTE,
  key: exactDeliveryThrottleKey,
} satisfies DeliveryThrottle<ExactSettings, ExactDossierSettings>;
