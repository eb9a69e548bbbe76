import { sql } from "drizzle-orm";
import {
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { localeEnum, users } from "./auth";
import { dossiers, portalRoleEnum, portals } from "./tenancy";

/**
 * What accepting an invitation does (lib/invitations):
 * - office_sign_up: the confirmation link of /sign-up; accepting creates the office in `signUp`
 *   with the invitee as its first admin;
 * - sign_up_invite: `npm run office:invite` under KOPPEL_SIGNUP=invite; it opens /sign-up for its
 *   address once, and is used when that sign-up is confirmed;
 * - portal_member: join `portalId` as `role` (admins invite, and `office:create` invites the first
 *   admin of an office made by the operator);
 * - dossier_member: join `dossierId` as its entrepreneur.
 */
export const invitationKindEnum = pgEnum("invitation_kind", [
  "office_sign_up",
  "sign_up_invite",
  "portal_member",
  "dossier_member",
]);

export type OfficeSignUp = {
  officeName: string;
  /** The office's enterprise number, 10 digits. */
  companyNumber: string;
  personName: string;
  /** The sign_up_invite this sign-up came through (KOPPEL_SIGNUP=invite), used with it. */
  signUpInviteId?: string;
};

/**
 * A single-use link mailed to one address. Only the SHA-256 of its token is stored; "resend"
 * gives it a new token and expiry, so an older mail stops working.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: invitationKindEnum().notNull(),
    tokenHash: text().notNull(),
    /** Lower-cased; accepting needs this address. */
    email: text().notNull(),
    /** The language of its mail and of its page. */
    locale: localeEnum().notNull(),
    portalId: uuid().references(() => portals.id, { onDelete: "cascade" }),
    dossierId: uuid(),
    role: portalRoleEnum(),
    signUp: jsonb().$type<OfficeSignUp>(),
    invitedByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp({ withTimezone: true }),
    acceptedByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_uq").on(t.tokenHash),
    foreignKey({
      name: "invitations_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
    // The members page and the dossier's people: a portal's (or dossier's) open invitations.
    index("invitations_portal_open_idx")
      .on(t.portalId, t.createdAt)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index("invitations_dossier_open_idx")
      .on(t.dossierId)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
  ],
);

export const memberEventActionEnum = pgEnum("member_event_action", [
  "office_created",
  "invited",
  "invitation_resent",
  "invitation_revoked",
  "joined",
  "role_changed",
  "removed",
]);

/**
 * Who did what to whom, when, among an office's people (its members and its dossiers'
 * entrepreneurs): written in the same transaction as the change, shown on the members page.
 * Names and addresses are copied, so the history still reads after someone is removed.
 */
export const memberEvents = pgTable(
  "member_events",
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    /** Set for an entrepreneur's access to one dossier. */
    dossierId: uuid(),
    action: memberEventActionEnum().notNull(),
    actorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Who acted, as shown: a name or address, or "operator" for the command line. */
    actorLabel: text().notNull(),
    subjectEmail: text().notNull(),
    subjectUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The role given (invited, joined, role_changed) or held (removed). */
    role: text(),
    previousRole: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("member_events_portal_idx").on(t.portalId, t.id),
    foreignKey({
      name: "member_events_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
  ],
);

export type SharedFile = {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
};

/**
 * Files shared into Koppel from a phone's share sheet by an entrepreneur with several dossiers,
 * waiting for them to pick one. Deleted (with their stored files) once picked, or after 24 hours.
 */
export const pendingShares = pgTable(
  "pending_shares",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    files: jsonb().$type<SharedFile[]>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("pending_shares_user_idx").on(t.userId), index("pending_shares_expires_idx").on(t.expiresAt)],
);
