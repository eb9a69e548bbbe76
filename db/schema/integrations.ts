import { sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
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
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Portal integrations page: connections of a portal.
    index("connections_portal_idx").on(t.portalId),
    // Target of dossier_integrations' (connection_id, portal_id) key: same-portal connections only.
    unique("connections_id_portal_uq").on(t.id, t.portalId),
  ],
);

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
