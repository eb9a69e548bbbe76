import { sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { dossiers, portals } from "./tenancy";

export const channelEnum = pgEnum("channel", ["api", "ftp", "email"]);
export const connectionStatusEnum = pgEnum("connection_status", [
  "not_checked",
  "connected",
  "needs_reauth",
  "error",
  "disabled",
]);
export const dossierIntegrationKindEnum = pgEnum("dossier_integration_kind", [
  "connection",
  "email",
  "free_email",
  "none",
]);

/** A portal-level integration (API or FTP credentials and settings). */
export const connections = pgTable(
  "connections",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    packageId: text().notNull(),
    channel: channelEnum().notNull(),
    label: text().notNull(),
    /** Public settings; parsed with the connector's zod schema on read. */
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM blob with key version prefix; read only by the connector runtime. */
    secretsEncrypted: text(),
    status: connectionStatusEnum().notNull().default("not_checked"),
    lastCheckedAt: timestamp({ withTimezone: true }),
    lastSuccessAt: timestamp({ withTimezone: true }),
    lastErrorCode: text(),
    lastErrorAt: timestamp({ withTimezone: true }),
    /**
     * OAuth connections: when the stored grant dies unless it is used (Exact: ~30 days after the
     * last refresh). Public (the page shows it), written with the secrets by the connector runtime.
     */
    credentialsExpireAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Portal integrations page: connections of a portal.
    index("connections_portal_idx").on(t.portalId),
    // The keep-alive cron: grants that expire within a few days.
    index("connections_credentials_expire_idx")
      .on(t.credentialsExpireAt)
      .where(sql`${t.credentialsExpireAt} is not null`),
    // Target of dossier_integrations' (connection_id, portal_id) key: same-portal connections only.
    unique("connections_id_portal_uq").on(t.id, t.portalId),
  ],
);

/**
 * The breaker of one delivery lane (lib/dispatch/breaker.ts): a connection (`connection:<id>`) or
 * the mail service as a whole (`mail`). Counts consecutive unreachable failures; once open, the
 * lane's deliveries wait instead of spending tries, and one probe at a time runs on the backoff
 * schedule until the other side answers. No row: closed and no recent failure.
 */
export const deliveryBreakers = pgTable(
  "delivery_breakers",
  {
    key: text().primaryKey(),
    /** Null for the mail service (shared by every office). */
    portalId: uuid().references(() => portals.id, { onDelete: "cascade" }),
    connectionId: uuid().references(() => connections.id, { onDelete: "cascade" }),
    /** Consecutive unreachable failures since the last success. */
    failures: integer().notNull().default(0),
    /** When the first of those failures happened: "unreachable since". */
    failingSince: timestamp({ withTimezone: true }).notNull(),
    /** Set once open: deliveries wait; null while only counting. */
    openedAt: timestamp({ withTimezone: true }),
    /** When the next probe may run; a probe takes it by moving it forward. */
    nextProbeAt: timestamp({ withTimezone: true }),
    probes: integer().notNull().default(0),
    lastErrorCode: text(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("delivery_breakers_portal_idx").on(t.portalId)],
);

/**
 * A package's call budget per key (lib/connections/call-limits.ts), shared by every instance: for
 * Exact Online one row per app and division, holding what Exact last reported (minutely and
 * daily remaining and reset) with our reservations deducted and the calls in flight. The state's
 * shape belongs to the connector (lib/connectors/api/exact-online/rate-limit.ts); a change
 * writes only over the version it read. Error answers for the package's error breaker are counted in
 * rate_limit_counters.
 */
export const callBudgets = pgTable("call_budgets", {
  key: text().primaryKey(),
  state: jsonb().$type<unknown>(),
  /** Bumped by every change: a writer that read an older version reads again (no lock held). */
  version: integer().notNull().default(0),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The one way a dossier delivers its documents. */
export const dossierIntegrations = pgTable(
  "dossier_integrations",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    dossierId: uuid().notNull(),
    kind: dossierIntegrationKindEnum().notNull(),
    connectionId: uuid(),
    /** Catalog package id for e-mail integrations (null for free mail and none). */
    packageId: text(),
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Exactly one integration per dossier.
    uniqueIndex("dossier_integrations_dossier_uq").on(t.dossierId),
    // Which dossiers use a connection (disable flags them).
    index("dossier_integrations_connection_idx").on(t.connectionId),
    index("dossier_integrations_portal_idx").on(t.portalId),
    foreignKey({
      name: "dossier_integrations_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
    // A dossier can only use a connection of its own portal; a used connection cannot be deleted.
    foreignKey({
      name: "dossier_integrations_connection_portal_fk",
      columns: [t.connectionId, t.portalId],
      foreignColumns: [connections.id, connections.portalId],
    }).onDelete("restrict"),
    check("dossier_integrations_connection_kind_ck", sql`(${t.kind} = 'connection') = (${t.connectionId} is not null)`),
  ],
);

/**
 * An OAuth authorization an admin started (lib/connections/oauth.ts): the browser carries the
 * random state to the package and back; only its SHA-256 is stored, so a database read does not
 * hand out states to redeem. Single use (`used_at`), short-lived, bound to the admin who started it.
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Hex SHA-256 of the state sent to the package. */
    stateHash: text().notNull(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    connectionId: uuid().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    packageId: text().notNull(),
    /** The redirect URI the authorization was asked with; the code exchange must repeat it. */
    redirectUri: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // The callback's lookup (and the single-use conditional update) by state.
    uniqueIndex("oauth_states_state_hash_uq").on(t.stateHash),
    // Removing expired states when a new authorization starts.
    index("oauth_states_expires_idx").on(t.expiresAt),
    index("oauth_states_portal_idx").on(t.portalId),
    // A state dies with its connection; a connection of another portal cannot be named.
    foreignKey({
      name: "oauth_states_connection_portal_fk",
      columns: [t.connectionId, t.portalId],
      foreignColumns: [connections.id, connections.portalId],
    }).onDelete("cascade"),
  ],
);
