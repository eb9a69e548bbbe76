import {
  boolean,
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
import { localeEnum, users } from "./auth";

export const portalRoleEnum = pgEnum("portal_role", ["admin", "accountant"]);
export const dossierRoleEnum = pgEnum("dossier_role", ["entrepreneur"]);

/** An accounting office's workspace. */
export const portals = pgTable(
  "portals",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    /**
     * The office's Belgian enterprise number, 10 digits: an office signs up once. Null only for
     * offices made before sign-up existed.
     */
    companyNumber: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("portals_company_number_uq").on(t.companyNumber)],
);

export const portalMembers = pgTable(
  "portal_members",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: portalRoleEnum().notNull(),
    /** Admins get a daily mail of the portal's new failures unless they switch it off. */
    isFailureDigestEnabled: boolean().notNull().default(true),
    /**
     * When this member's last failure digest was sent: the end of the window it covered, so the
     * next one lists only what failed after it, and at most one goes out per day.
     */
    failureDigestSentAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One membership per user and portal; also serves "members of a portal".
    uniqueIndex("portal_members_portal_user_uq").on(t.portalId, t.userId),
    // Actor resolution: "which portals is this user in".
    index("portal_members_user_idx").on(t.userId),
  ],
);

/** One client company of the office. */
export const dossiers = pgTable(
  "dossiers",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** Belgian enterprise number, 10 digits without dots (mod-97 checked in lib). */
    companyNumber: text().notNull(),
    vatNumber: text(),
    isAutoSendEnabled: boolean().notNull().default(true),
    /** The language of everything sent on the dossier's behalf (mails to its package, invitations). */
    locale: localeEnum().notNull().default("nl"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A company is a client of an office once.
    uniqueIndex("dossiers_portal_company_number_uq").on(t.portalId, t.companyNumber),
    // Portal overview: dossiers of a portal ordered by name.
    index("dossiers_portal_name_idx").on(t.portalId, t.name),
    // Target of the (dossier_id, portal_id) foreign keys: a row can never sit in one portal
    // while pointing at another portal's dossier.
    unique("dossiers_id_portal_uq").on(t.id, t.portalId),
  ],
);

export const dossierMembers = pgTable(
  "dossier_members",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    dossierId: uuid().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: dossierRoleEnum().notNull().default("entrepreneur"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("dossier_members_dossier_user_uq").on(t.dossierId, t.userId),
    foreignKey({
      name: "dossier_members_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
    // Actor resolution: "which dossiers is this user in".
    index("dossier_members_user_idx").on(t.userId),
    index("dossier_members_portal_idx").on(t.portalId),
  ],
);

/** Local mail outbox used when no RESEND_API_KEY is configured (development). */
export const outboxEmails = pgTable(
  "outbox_emails",
  {
    id: uuid().primaryKey().defaultRandom(),
    idempotencyKey: text().notNull(),
    from: text().notNull(),
    to: text().array().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text(),
    attachments: jsonb().$type<{ filename: string; contentType: string; sizeBytes: number }[]>().notNull().default([]),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Replaying a key stores the mail once, as Resend does.
    uniqueIndex("outbox_emails_idempotency_key_uq").on(t.idempotencyKey),
    // The development outbox page lists the newest first.
    index("outbox_emails_created_idx").on(t.createdAt),
  ],
);
