import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { toConnectorError } from "../../errors";
import type { ConnectionHookInput, ConnectionHookOutcome, ConnectorContext, ConnectorWebhook } from "../../types";
import { createdAnswerSchema } from "./client";
import type { ExactDossierSettings, ExactSecrets, ExactSettings } from "./config";
import { ExactSession } from "./session";

/**
 * Exact Online's webhook notifications (reference §3.5, assumptions.ts WEBHOOK_SIGNATURE):
 * `{"Content":{"Topic":"Documents","ClientId":…,"Division":…,"Action":…,"Key":"<guid>",…},"HashCode":"…"}`.
 * HashCode is the upper-case hex HMAC-SHA256 of the raw Content JSON text with the webhook
 * secret, so the signature is checked on the Content exactly as it arrived, never on a
 * re-serialised copy. A notification only says that something changed; what changed is read from
 * Exact itself (the connector's pollStatus), so a notification can never set a state on its own.
 * The platform's route (/api/webhooks/exact-online?connection=<id>) finds the connection and its
 * webhook secret; `exactWebhook` below is what it asks of this connector.
 */

/** Exact's notifications are small; anything larger is not one. */
export const EXACT_WEBHOOK_MAX_BYTES = 64 * 1024;

const contentSchema = z.object({
  Topic: z.string(),
  Division: z.coerce.number().int().positive(),
  Key: z.string().min(1),
  Action: z.string().optional(),
  ClientId: z.string().optional(),
  ExactOnlineEndpoint: z.string().optional(),
});
export type ExactWebhookContent = z.infer<typeof contentSchema>;

export type ParsedExactWebhook = { rawContent: string; hashCode: string; content: ExactWebhookContent };

/**
 * The raw text of a top-level member's value in a JSON object text (null when absent). The body
 * must already be valid JSON; this only finds where the value starts and ends.
 */
export function rawMemberText(json: string, member: string): string | null {
  let index = 0;
  const skipSpace = () => {
    while (index < json.length && /\s/.test(json[index] ?? "")) index++;
  };
  const readString = (): string => {
    const start = index;
    index++; // opening quote
    while (index < json.length && json[index] !== '"') index += json[index] === "\\" ? 2 : 1;
    index++; // closing quote
    return JSON.parse(json.slice(start, index)) as string;
  };
  const skipValue = () => {
    let depth = 0;
    while (index < json.length) {
      const char = json[index] ?? "";
      if (char === '"') {
        readString();
        if (depth === 0) return;
        continue;
      }
      if (char === "{" || char === "[") depth++;
      else if (char === "}" || char === "]") {
        if (depth === 0) return; // the end of the enclosing object, after a number or literal
        depth--;
        if (depth === 0) {
          index++;
          return;
        }
      } else if (depth === 0 && (char === "," || /\s/.test(char))) return;
      index++;
    }
  };
  skipSpace();
  if (json[index] !== "{") return null;
  index++;
  for (;;) {
    skipSpace();
    if (json[index] !== '"') return null;
    const name = readString();
    skipSpace();
    if (json[index] !== ":") return null;
    index++;
    skipSpace();
    const start = index;
    skipValue();
    if (name === member) return json.slice(start, index).trimEnd();
    skipSpace();
    if (json[index] !== ",") return null;
    index++;
  }
}

/** A notification body, or null when it is not one (not JSON, no Content or HashCode, wrong shape). */
export function parseExactWebhook(rawBody: string): ParsedExactWebhook | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const envelope = z.object({ Content: z.unknown(), HashCode: z.string().min(1) }).safeParse(body);
  if (!envelope.success) return null;
  const content = contentSchema.safeParse(envelope.data.Content);
  const rawContent = rawMemberText(rawBody, "Content");
  if (!content.success || rawContent === null) return null;
  return { rawContent, hashCode: envelope.data.HashCode, content: content.data };
}

/** Exact's HashCode of a Content text: HMAC-SHA256 with the webhook secret, upper-case hex. */
export function exactWebhookHashCode(rawContent: string, secret: string): string {
  return createHmac("sha256", secret).update(rawContent, "utf8").digest("hex").toUpperCase();
}

/** Whether `hashCode` is Exact's signature of `rawContent`, compared in constant time. */
export function isExactWebhookSignatureValid(rawContent: string, hashCode: string, secret: string): boolean {
  const expected = Buffer.from(exactWebhookHashCode(rawContent, secret), "utf8");
  const given = Buffer.from(hashCode.trim(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The webhook topic Koppel subscribes to and acts on. */
export const DOCUMENTS_TOPIC = "Documents";

/** `GET {d}/webhooks/WebhookSubscriptions?$select=ID,CallbackURL,Topic`, paged like every Exact list. */
const subscriptionsPageSchema = z.object({
  d: z.object({
    results: z.array(z.object({ ID: z.string().min(1), CallbackURL: z.string(), Topic: z.string() })),
    __next: z.string().nullish(),
  }),
});
const SUBSCRIPTIONS_ENDPOINT = "webhooks/WebhookSubscriptions";
/** A division holds a handful of subscriptions; more pages than this are not looked through. */
const MAX_SUBSCRIPTION_PAGES = 5;

/**
 * Subscribes a division's Document changes to `callbackUrl` (`POST {d}/webhooks/WebhookSubscriptions`,
 * reference §3.5). Exact requires HTTPS, and reportedly a callback on the domain of the app's
 * redirect URL. Always creates one: ensureDocumentChangesSubscription is the idempotent way.
 */
export async function subscribeToDocumentChanges(
  ctx: ConnectorContext<ExactSettings, ExactSecrets, unknown>,
  division: number,
  callbackUrl: string,
  session: ExactSession = new ExactSession(ctx),
): Promise<string> {
  const created = await session.post(
    division,
    SUBSCRIPTIONS_ENDPOINT,
    { CallbackURL: callbackUrl, Topic: DOCUMENTS_TOPIC },
    createdAnswerSchema,
  );
  return created.d.ID;
}

/**
 * The division's Documents subscription to `callbackUrl`: the existing one when Exact already has
 * it (a dossier saved twice, or two dossiers on one division, subscribe once), else a new one.
 */
export async function ensureDocumentChangesSubscription(
  ctx: ConnectorContext<ExactSettings, ExactSecrets, unknown>,
  division: number,
  callbackUrl: string,
): Promise<{ subscriptionId: string; isNew: boolean }> {
  const session = new ExactSession(ctx);
  let page = await session.get(
    division,
    SUBSCRIPTIONS_ENDPOINT,
    { $select: "ID,CallbackURL,Topic" },
    subscriptionsPageSchema,
  );
  for (let pages = 1; ; pages++) {
    const existing = page.d.results.find(
      (subscription) => subscription.CallbackURL === callbackUrl && subscription.Topic === DOCUMENTS_TOPIC,
    );
    if (existing) return { subscriptionId: existing.ID, isNew: false };
    if (!page.d.__next || pages >= MAX_SUBSCRIPTION_PAGES) break;
    page = await session.getNext(division, SUBSCRIPTIONS_ENDPOINT, page.d.__next, subscriptionsPageSchema);
  }
  return { subscriptionId: await subscribeToDocumentChanges(ctx, division, callbackUrl, session), isNew: true };
}

/** The Document ids a notification names, as Exact may write them (upper case, in braces) and as we store them. */
function documentReferencesOf(notification: ParsedExactWebhook): string[] {
  if (notification.content.Topic !== DOCUMENTS_TOPIC) return [];
  const key = notification.content.Key.trim().replace(/^\{|\}$/g, "");
  return [...new Set([key, key.toLowerCase()])];
}

/**
 * The connector's webhook (ConnectorWebhook): a Documents notification signed with the
 * connection's app's webhook secret names one Document to read back; any other topic names none.
 */
export const exactWebhook = {
  maxBytes: EXACT_WEBHOOK_MAX_BYTES,
  parse: parseExactWebhook,
  isSignedWith: (notification, secret) =>
    isExactWebhookSignatureValid(notification.rawContent, notification.hashCode, secret),
  packageReferencesOf: documentReferencesOf,
} satisfies ConnectorWebhook<ParsedExactWebhook>;

type ExactContext = ConnectorContext<ExactSettings, ExactSecrets, ExactDossierSettings>;

function isHttps(value: string | null): value is string {
  if (!value) return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * The callback a connection's divisions subscribe to, or why they cannot be subscribed now: Exact
 * calls only https callbacks, and without a webhook secret the notifications could not be verified
 * (the connection's own app's, or EXACT_ONLINE_WEBHOOK_SECRET for the deployment's app).
 */
function callbackOf(input: ConnectionHookInput): { callbackUrl: string } | { skipped: ConnectionHookOutcome } {
  if (!isHttps(input.webhookUrl)) return { skipped: { outcome: "skipped", reason: "not_https" } };
  if (!input.webhookSecret) return { skipped: { outcome: "skipped", reason: "no_webhook_secret" } };
  return { callbackUrl: input.webhookUrl };
}

async function subscribeDivision(
  ctx: ExactContext,
  division: number,
  callbackUrl: string,
): Promise<ConnectionHookOutcome> {
  const { subscriptionId, isNew } = await ensureDocumentChangesSubscription(ctx, division, callbackUrl);
  return { outcome: "done", action: isNew ? "subscribed" : "already_subscribed", reference: subscriptionId };
}

/**
 * After a dossier is mapped to a division: subscribe that division's Document changes to the
 * connection's webhook, so a refusal comes back within seconds instead of at the next read-back
 * poll. Idempotent (a division already subscribed to this callback is left as it is); skipped
 * without an https address or a webhook secret (callbackOf).
 */
export async function subscribeMappedDivision(
  ctx: ExactContext,
  input: ConnectionHookInput & { dossierSettings: ExactDossierSettings },
): Promise<ConnectionHookOutcome> {
  const callback = callbackOf(input);
  if ("skipped" in callback) return callback.skipped;
  return subscribeDivision(ctx, input.dossierSettings.division, callback.callbackUrl);
}

/**
 * After the connection is saved or (re)authorised: the dossiers mapped before could not be
 * subscribed yet (no webhook secret typed, no grant). Every division they use, once each, one at a
 * time; a division that fails is reported and the next one tried. Stops at once when the
 * connection cannot be subscribed at all (callbackOf).
 */
export async function subscribeMappedDivisions(
  ctx: ExactContext,
  input: ConnectionHookInput & { mappedDossierSettings: ExactDossierSettings[] },
): Promise<ConnectionHookOutcome[]> {
  const divisions = [...new Set(input.mappedDossierSettings.map((settings) => settings.division))];
  if (divisions.length === 0) return [];
  const callback = callbackOf(input);
  if ("skipped" in callback) return [callback.skipped];
  const outcomes: ConnectionHookOutcome[] = [];
  for (const division of divisions) {
    outcomes.push(
      await subscribeDivision(ctx, division, callback.callbackUrl).catch(
        (error: unknown): ConnectionHookOutcome => ({ outcome: "failed", errorCode: toConnectorError(error).code }),
      ),
    );
  }
  return outcomes;
}
