import "server-only";
import { and, asc, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossiers, invitations, memberEvents, portalMembers, users } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { isPendingInvitation } from "@/lib/invitations/create";
import { OPERATOR_LABEL } from "./history";
import { type MemberHistoryQuery, memberHistoryQuerySchema, memberRefSchema } from "./schemas";

/*
 * What the members page reads, for the office's admins only (member.manage): its people, its open
 * invitations and the history of changes among its people. Every query carries the office's id.
 */

export type MemberView = {
  userId: string;
  name: string | null;
  email: string;
  role: PortalRole;
  /** When they joined the office. */
  joinedAt: Date;
  /** Null: never signed in. */
  lastSignedInAt: Date | null;
  /** The signed-in person themselves. */
  isYou: boolean;
};

function portalIdOf(portalId: string): string {
  const parsed = memberRefSchema.shape.portalId.safeParse(portalId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/** The office's admins and accountants, admins first, then by name (or address). */
export async function listMembers(db: DbOrTx, actor: Actor, portalId: string): Promise<MemberView[]> {
  authorize(actor, "member.manage", { portalId });
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: portalMembers.role,
      joinedAt: portalMembers.createdAt,
      lastSignedInAt: users.lastSignedInAt,
    })
    .from(portalMembers)
    .innerJoin(users, eq(users.id, portalMembers.userId))
    .where(eq(portalMembers.portalId, portalIdOf(portalId)))
    .orderBy(asc(portalMembers.role), sql`lower(coalesce(${users.name}, ${users.email}))`, asc(users.email));
  return rows.map((row) => ({ ...row, isYou: actor.kind === "user" && actor.userId === row.userId }));
}

export type OpenInvitationView = {
  id: string;
  email: string;
  role: PortalRole;
  /** The language of its mail. */
  locale: Locale;
  /** When it was (last) sent. */
  sentAt: Date;
  expiresAt: Date;
  /** Past its expiry: the link no longer works, but it can be sent again (a new week) or revoked. */
  isExpired: boolean;
  /** Who invited, by name or address; null for the operator or a person since deleted. */
  invitedBy: string | null;
};

/**
 * The office's invitations of admins and accountants that were neither accepted nor revoked,
 * newest first, expired ones included (marked as such). Dossier invitations are the dossier's.
 */
export async function listOpenInvitations(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  now: Date = new Date(),
): Promise<OpenInvitationView[]> {
  authorize(actor, "member.manage", { portalId });
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      locale: invitations.locale,
      sentAt: invitations.sentAt,
      expiresAt: invitations.expiresAt,
      invitedBy: sql<string | null>`coalesce(${users.name}, ${users.email})`,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .where(
      and(
        eq(invitations.portalId, portalIdOf(portalId)),
        eq(invitations.kind, "portal_member"),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
  return rows.map((row) => ({
    ...row,
    role: row.role ?? "accountant",
    isExpired: !isPendingInvitation(row, now),
  }));
}

type MemberEventAction = (typeof memberEvents.$inferSelect)["action"];

export type MemberEventView = {
  id: number;
  action: MemberEventAction;
  /** Who acted: a person (by `actorLabel`, their name or address), the operator, or an API key. */
  actorKind: "person" | "operator" | "apiKey";
  actorLabel: string;
  actorUserId: string | null;
  subjectEmail: string;
  /** The subject's name today, when they still have an account and gave one. */
  subjectName: string | null;
  role: string | null;
  previousRole: string | null;
  /** Set for an entrepreneur's access to one dossier; the name is null once the dossier is gone. */
  dossierId: string | null;
  dossierName: string | null;
  createdAt: Date;
};

/** The labels lib/members/history.ts writes for who acted when it was not a person. */
function actorKindOf(row: { actorUserId: string | null; actorLabel: string }): MemberEventView["actorKind"] {
  if (row.actorUserId) return "person";
  if (row.actorLabel === OPERATOR_LABEL) return "operator";
  if (row.actorLabel.startsWith("api-key:")) return "apiKey";
  // A person since deleted: their name or address was copied.
  return "person";
}

export type MemberHistoryPage = {
  events: MemberEventView[];
  /** Pass as `before` for the next (older) page; null when this page reaches the first event. */
  nextCursor: number | null;
};

/**
 * Who did what to whom among the office's people (its members and its dossiers' entrepreneurs),
 * newest first, a page at a time by keyset on the event's id (which only grows).
 */
export async function listMemberHistory(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  query: MemberHistoryQuery = {},
): Promise<MemberHistoryPage> {
  authorize(actor, "member.manage", { portalId });
  const { before, limit } = parseInput(memberHistoryQuerySchema, query);
  const id = portalIdOf(portalId);
  const rows = await db
    .select({
      id: memberEvents.id,
      action: memberEvents.action,
      actorLabel: memberEvents.actorLabel,
      actorUserId: memberEvents.actorUserId,
      subjectEmail: memberEvents.subjectEmail,
      subjectName: users.name,
      role: memberEvents.role,
      previousRole: memberEvents.previousRole,
      dossierId: memberEvents.dossierId,
      dossierName: dossiers.name,
      createdAt: memberEvents.createdAt,
    })
    .from(memberEvents)
    .leftJoin(users, eq(users.id, memberEvents.subjectUserId))
    .leftJoin(dossiers, and(eq(dossiers.id, memberEvents.dossierId), eq(dossiers.portalId, memberEvents.portalId)))
    .where(and(eq(memberEvents.portalId, id), before === undefined ? undefined : lt(memberEvents.id, before)))
    .orderBy(desc(memberEvents.id))
    .limit(limit + 1);
  const events = rows.slice(0, limit).map((row) => ({
    ...row,
    actorKind: actorKindOf(row),
  }));
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > limit && last ? last.id : null };
}
