import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { portalRoleEnum, portals } from "./tenancy";

/*
 * The partner API (issue 13): per-office API keys, the API's idempotency records and rate-limit
 * counters, each office's recognition signing secrets, and outgoing webhooks.
 */

/** An office's API key. The key itself is shown once; only its SHA-256 is kept. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** The first characters of the key ("kop_" and 8 more), shown so people can tell keys apart. */
    prefix: text().notNull(),
    /** SHA-256 (hex) of the whole key: 32 random bytes need no slow hash. */
    keyHash: text().notNull(),
    /** The role the key acts with (lib/auth/permissions.ts). */
    role: portalRoleEnum().notNull(),
    /** Scopes from lib/auth/scopes.ts. */
    scopes: text().array().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    revokedByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_uq").on(t.keyHash),
    index("api_keys_portal_created_idx").on(t.portalId, t.createdAt),
  ],
);

/** The answer to a POST made with an Idempotency-Key, kept 24 hours. */
export const apiIdempotencyKeys = pgTable(
  "api_idempotency_keys",
  {
    apiKeyId: uuid()
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    idempotencyKey: text().notNull(),
    /** Method and path of the first request: the same key on another route is another body. */
    requestTarget: text().notNull(),
    /** SHA-256 (hex) of the first request's raw body. */
    requestHash: text().notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer(),
    responseHeaders: jsonb().$type<Record<string, string>>(),
    responseBody: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: "api_idempotency_keys_pk", columns: [t.apiKeyId, t.idempotencyKey] }),
    index("api_idempotency_keys_created_idx").on(t.createdAt),
  ],
);

/**
 * Fixed-window request counters, shared by every instance: sign-in links, sign-ups and
 * invitations per address, and API calls per key (lib/rate-limit).
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    /** What is counted: "<limit name>:<subject>", e.g. "api:<key id>". */
    bucket: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull().default(0),
    /** When the row may be deleted: the end of its window. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: "rate_limit_counters_pk", columns: [t.bucket, t.windowStart] }),
    index("rate_limit_counters_expires_idx").on(t.expiresAt),
  ],
);

/**
 * An office's secrets for signing recognition deliveries. The current one has no `retiresAt`; a
 * rotated one keeps verifying until its `retiresAt` (24 hours after the rotation).
 */
export const recognitionSecrets = pgTable(
  "recognition_secrets",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    /** The secret, encrypted at rest (lib/crypto/secrets.ts): admins see it again. */
    secretEncrypted: text().notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    retiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // The page's list of an office's secrets, and the webhook's "live secrets of this office".
    index("recognition_secrets_portal_idx").on(t.portalId, t.createdAt),
    // At most one current secret per office, whatever races (two first views, two rotations):
    // lib/recognition/secret.ts also serialises its writers, this keeps the rule if one does not.
    uniqueIndex("recognition_secrets_current_uq").on(t.portalId).where(sql`${t.retiresAt} is null`),
  ],
);

/** The events an endpoint may subscribe to (lib/webhooks/events.ts maps document events to them). */
export const webhookEventTypeEnum = pgEnum("webhook_event_type", [
  "document.received",
  "document.recognised",
  "document.sent",
  "document.failed",
  "document.rejected",
  "document.imported",
]);

/** An office's https endpoint for outgoing webhooks. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    url: text().notNull(),
    description: text().notNull().default(""),
    eventTypes: webhookEventTypeEnum().array().notNull(),
    /** The Standard Webhooks signing secret ("whsec_" + base64), encrypted at rest. */
    secretEncrypted: text().notNull(),
    /** Null while the endpoint receives deliveries. */
    disabledAt: timestamp({ withTimezone: true }),
    /** "manual" or "failing" (5 days of failures). */
    disabledReason: text(),
    /** When the current run of failures began; null after a success. */
    failingSince: timestamp({ withTimezone: true }),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_endpoints_portal_idx").on(t.portalId)],
);

export const webhookDeliveryStatusEnum = pgEnum("webhook_delivery_status", ["pending", "succeeded", "failed"]);

/**
 * One message to one endpoint. Written by a trigger on document_events in the same transaction as
 * the document's change (migration 0008), so a crash loses no event; a replay is a new row.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    portalId: uuid().notNull(),
    /** The Standard Webhooks `webhook-id`: the same on every try of this message. */
    messageId: text().notNull(),
    eventType: webhookEventTypeEnum().notNull(),
    /** The document event it came from (null for a test message). */
    documentEventId: bigint({ mode: "number" }),
    documentId: uuid(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: webhookDeliveryStatusEnum().notNull().default("pending"),
    attemptCount: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp({ withTimezone: true }),
    lastResponseStatus: integer(),
    lastDurationMs: integer(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_endpoint_created_idx").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** Each try of a delivery, for the endpoint's log. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: uuid().primaryKey().defaultRandom(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attemptedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    responseStatus: integer(),
    durationMs: integer().notNull(),
    /** Why it failed, in a few words (never the endpoint's whole answer). */
    error: text(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attemptedAt)],
);
