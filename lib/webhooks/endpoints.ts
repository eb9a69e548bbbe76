import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { webhookEndpoints } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { LookupAll } from "@/lib/net/host-guard";
import type { SubscribableEventType } from "./events";
import {
  type CreateEndpointInput,
  createEndpointSchema,
  type UpdateEndpointInput,
  updateEndpointSchema,
  webhookIdSchema,
} from "./schemas";
import { generateWebhookSecret, webhookSecretSchema } from "./signing";
import { checkEndpointUrl } from "./url";

/*
 * An office's outgoing webhook endpoints. Every service authorizes "webhook.manage" (the office's
 * admins, and API keys with the webhooks:manage scope) against the endpoint's own office, so an id
 * from another office is "not found". The signing secret is stored encrypted; it is read only by
 * revealEndpointSecret (an admin pressing "Show", or a key) and by the sender, and answered once,
 * as it is made, to an API key that creates an endpoint or rotates its secret.
 */

/** An office has at most this many endpoints: each one multiplies every event. */
export const MAX_ENDPOINTS_PER_PORTAL = 20;
/** After a rotation the old secret keeps signing (beside the new one) this long. */
export const PREVIOUS_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export type EndpointStatus = "active" | "disabled_manual" | "disabled_failing";

/** What callers get of an endpoint: never the secret. */
export type EndpointView = {
  id: string;
  portalId: string;
  url: string;
  description: string;
  eventTypes: SubscribableEventType[];
  status: EndpointStatus;
  disabledAt: Date | null;
  /** When its deliveries began failing without a success since; null when they succeed. */
  failingSince: Date | null;
  /** Until when the secret before the last rotation still signs; null without one. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const viewColumns = {
  id: webhookEndpoints.id,
  portalId: webhookEndpoints.portalId,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  eventTypes: webhookEndpoints.eventTypes,
  disabledAt: webhookEndpoints.disabledAt,
  disabledReason: webhookEndpoints.disabledReason,
  failingSince: webhookEndpoints.failingSince,
  previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
};

type EndpointRow = Pick<typeof webhookEndpoints.$inferSelect, keyof typeof viewColumns>;

function viewOf(row: EndpointRow, now: Date = new Date()): EndpointView {
  return {
    id: row.id,
    portalId: row.portalId,
    url: row.url,
    description: row.description,
    // "webhook.test" is never stored as a subscription (the schemas refuse it).
    eventTypes: row.eventTypes.filter((type): type is SubscribableEventType => type !== "webhook.test"),
    status: row.disabledAt ? (row.disabledReason === "failing" ? "disabled_failing" : "disabled_manual") : "active",
    disabledAt: row.disabledAt,
    failingSince: row.failingSince,
    previousSecretExpiresAt:
      row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The encryption context of an endpoint's secret: a blob copied to another row does not decrypt. */
export function endpointSecretContext(endpointId: string): string {
  return `webhook-endpoint:${endpointId}`;
}

const storedSecretSchema = z.object({ secret: webhookSecretSchema });

export function encryptEndpointSecret(endpointId: string, secret: string): string {
  return encryptSecrets({ secret }, endpointSecretContext(endpointId));
}

export function decryptEndpointSecret(endpointId: string, blob: string): string {
  return storedSecretSchema.parse(decryptSecrets(blob, endpointSecretContext(endpointId))).secret;
}

/** Options for the address check (tests pass a resolver; the switch comes from the environment). */
export type EndpointUrlOptions = { lookup?: LookupAll; allowPrivate?: boolean };

async function assertUrlAllowed(url: string, options: EndpointUrlOptions): Promise<void> {
  const verdict = await checkEndpointUrl(url, options);
  if (!verdict.ok) throw new ValidationError({ url: [`webhookUrl.${verdict.refusal}`] });
}

/**
 * Loads an endpoint and authorizes "webhook.manage" on its office. Unknown, malformed and foreign
 * ids all throw NotFoundError, so nobody learns that another office's endpoint exists.
 */
export async function loadEndpoint(db: DbOrTx, actor: Actor, endpointId: string) {
  if (!webhookIdSchema.safeParse(endpointId).success) throw new NotFoundError();
  const [row] = await db
    .select({ ...viewColumns, secretEncrypted: webhookEndpoints.secretEncrypted })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, endpointId))
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, "webhook.manage", { portalId: row.portalId });
  return row;
}

/** The office's endpoints, oldest first. */
export async function listEndpoints(db: DbOrTx, actor: Actor, portalId: string): Promise<EndpointView[]> {
  if (!webhookIdSchema.safeParse(portalId).success) throw new NotFoundError();
  authorize(actor, "webhook.manage", { portalId });
  const rows = await db
    .select(viewColumns)
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.portalId, portalId))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
  return rows.map((row) => viewOf(row));
}

export async function getEndpoint(db: DbOrTx, actor: Actor, endpointId: string): Promise<EndpointView> {
  return viewOf(await loadEndpoint(db, actor, endpointId));
}

/**
 * An endpoint with the secret that was just made for it, for a caller that hands it over at once
 * (the REST API's answer to a key that created or rotated it). Callers that show it later ask
 * revealEndpointSecret instead.
 */
export type EndpointWithSecret = { endpoint: EndpointView; secret: string };

/**
 * Registers an endpoint with a new secret. The address must pass the host guard now (and will
 * again before every try).
 */
export async function createEndpoint(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  input: CreateEndpointInput,
  options: EndpointUrlOptions = {},
): Promise<EndpointView> {
  return (await createEndpointAndRevealSecret(db, actor, portalId, input, options)).endpoint;
}

/** createEndpoint, answering the new secret beside the endpoint. */
export async function createEndpointAndRevealSecret(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  input: CreateEndpointInput,
  options: EndpointUrlOptions = {},
): Promise<EndpointWithSecret> {
  if (!webhookIdSchema.safeParse(portalId).success) throw new NotFoundError();
  authorize(actor, "webhook.manage", { portalId });
  const parsed = parseInput(createEndpointSchema, input);
  await assertUrlAllowed(parsed.url, options);
  const [counted] = await db
    .select({ total: count() })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.portalId, portalId));
  if ((counted?.total ?? 0) >= MAX_ENDPOINTS_PER_PORTAL) throw new ConflictError("webhooks.tooManyEndpoints");
  const id = randomUUID();
  const secret = generateWebhookSecret();
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id,
      portalId,
      url: parsed.url,
      description: parsed.description,
      eventTypes: parsed.eventTypes,
      secretEncrypted: encryptEndpointSecret(id, secret),
      createdByUserId: actorUserId(actor),
    })
    .returning(viewColumns);
  if (!row) throw new Error("webhook endpoint not inserted");
  return { endpoint: viewOf(row), secret };
}

/**
 * Changes the address, description or events, or switches the endpoint on or off by hand.
 * Switching it on clears its failure run, so an endpoint disabled for failing gets a fresh 5 days.
 */
export async function updateEndpoint(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
  input: UpdateEndpointInput,
  options: EndpointUrlOptions & { now?: Date } = {},
): Promise<EndpointView> {
  const stored = await loadEndpoint(db, actor, endpointId);
  const parsed = parseInput(updateEndpointSchema, input);
  if (parsed.url !== undefined && parsed.url !== stored.url) await assertUrlAllowed(parsed.url, options);
  const now = options.now ?? new Date();
  const switchedOn = parsed.enabled === true && stored.disabledAt !== null;
  const switchedOff = parsed.enabled === false && stored.disabledAt === null;
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      ...(parsed.url !== undefined ? { url: parsed.url } : {}),
      ...(parsed.description !== undefined ? { description: parsed.description } : {}),
      ...(parsed.eventTypes !== undefined ? { eventTypes: parsed.eventTypes } : {}),
      ...(switchedOn ? { disabledAt: null, disabledReason: null, failingSince: null, disabledNoticeSentAt: null } : {}),
      ...(switchedOff ? { disabledAt: now, disabledReason: "manual" } : {}),
      updatedAt: now,
    })
    .where(and(eq(webhookEndpoints.id, stored.id), eq(webhookEndpoints.portalId, stored.portalId)))
    .returning(viewColumns);
  if (!row) throw new NotFoundError();
  return viewOf(row, now);
}

/**
 * A new secret. The old one keeps signing beside it for 24 hours (the signature header carries
 * both), so a receiver can switch over without refusing a message.
 */
export async function rotateEndpointSecret(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
  options: { now?: Date } = {},
): Promise<EndpointView> {
  return (await rotateAndRevealEndpointSecret(db, actor, endpointId, options)).endpoint;
}

/** rotateEndpointSecret, answering the new secret beside the endpoint. */
export async function rotateAndRevealEndpointSecret(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
  options: { now?: Date } = {},
): Promise<EndpointWithSecret> {
  const stored = await loadEndpoint(db, actor, endpointId);
  const now = options.now ?? new Date();
  const secret = generateWebhookSecret();
  const [row] = await db
    .update(webhookEndpoints)
    .set({
      secretEncrypted: encryptEndpointSecret(stored.id, secret),
      previousSecretEncrypted: stored.secretEncrypted,
      previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_OVERLAP_MS),
      updatedAt: now,
    })
    // The secret read above: of two rotations at once, one wins and the other is told so.
    .where(and(eq(webhookEndpoints.id, stored.id), eq(webhookEndpoints.secretEncrypted, stored.secretEncrypted)))
    .returning(viewColumns);
  if (!row) throw new ConflictError("conflict");
  return { endpoint: viewOf(row, now), secret };
}

/** The endpoint's current signing secret, for an admin who asked to see it (or an API key). */
export async function revealEndpointSecret(db: DbOrTx, actor: Actor, endpointId: string): Promise<{ secret: string }> {
  const stored = await loadEndpoint(db, actor, endpointId);
  return { secret: decryptEndpointSecret(stored.id, stored.secretEncrypted) };
}

/** Deletes the endpoint with its deliveries and their attempts. */
export async function deleteEndpoint(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
): Promise<{ id: string; portalId: string }> {
  const stored = await loadEndpoint(db, actor, endpointId);
  const [row] = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, stored.id), eq(webhookEndpoints.portalId, stored.portalId)))
    .returning({ id: webhookEndpoints.id, portalId: webhookEndpoints.portalId });
  if (!row) throw new NotFoundError();
  return row;
}

/** Endpoints disabled for failing whose admins have not been told yet (the sender mails them). */
export const awaitingDisabledNotice = () =>
  and(
    isNotNull(webhookEndpoints.disabledAt),
    eq(webhookEndpoints.disabledReason, "failing"),
    isNull(webhookEndpoints.disabledNoticeSentAt),
  );
