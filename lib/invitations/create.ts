import "server-only";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossierMembers, dossiers, invitations, portalMembers, portals, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { recordMemberEvent } from "@/lib/members/history";
import { limitPeopleRequest } from "@/lib/rate-limit/people";
import { type InvitationKind, mailInvitation } from "./mail";
import type { InviteDossierClientsInput, InvitePortalMemberInput } from "./schemas";
import { newInvitationToken } from "./token";

/** How long an invitation link works; a resend starts it again. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Where a request came from, for the limits on requests that mail someone. */
export type RequestContext = { clientAddress: string };

export type SentInvitation = { invitationId: string; email: string; isMailed: boolean };
export type SkippedInvitee = { email: string; reason: "alreadyClient" | "isOfficeMember" };

const isOpen = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

async function nameOf(db: DbOrTx, actor: Actor): Promise<string | null> {
  if (actor.kind !== "user") return null;
  const [user] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, actor.userId));
  return user?.name || user?.email || null;
}

/** The language of a person's mails: their own once they have an account, else the one given. */
async function localeFor(db: DbOrTx, email: string, fallback: Locale): Promise<Locale> {
  const [user] = await db.select({ locale: users.locale }).from(users).where(eq(users.email, email)).limit(1);
  return user?.locale ?? fallback;
}

/**
 * Invites someone to the office as admin or accountant (admins only). Someone already in the
 * office is a field error; an open invitation of the same address is replaced, so the newest
 * link and role count.
 */
export async function invitePortalMember(
  db: DbOrTx,
  actor: Actor,
  input: InvitePortalMemberInput,
  context: RequestContext,
): Promise<SentInvitation> {
  authorize(actor, "member.manage", { portalId: input.portalId });
  const [existing] = await db
    .select({ id: portalMembers.id })
    .from(portalMembers)
    .innerJoin(users, eq(users.id, portalMembers.userId))
    .where(and(eq(portalMembers.portalId, input.portalId), eq(users.email, input.email)))
    .limit(1);
  if (existing) throw new ValidationError({ email: ["invitation.alreadyMember"] });
  await limitPeopleRequest(db, { emails: [input.email], clientAddress: context.clientAddress });

  const [portal] = await db.select({ name: portals.name }).from(portals).where(eq(portals.id, input.portalId));
  if (!portal) throw new NotFoundError();
  const locale = await localeFor(db, input.email, input.locale);
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const invitationId = await db.transaction(async (tx) => {
    await tx
      .update(invitations)
      .set({ revokedAt: sql`now()`, updatedAt: sql`now()` })
      .where(
        and(
          eq(invitations.kind, "portal_member"),
          eq(invitations.portalId, input.portalId),
          eq(invitations.email, input.email),
          isOpen,
        ),
      );
    const [row] = await tx
      .insert(invitations)
      .values({
        kind: "portal_member",
        tokenHash,
        email: input.email,
        locale,
        portalId: input.portalId,
        role: input.role,
        invitedByUserId: actor.kind === "user" ? actor.userId : null,
        expiresAt,
      })
      .returning({ id: invitations.id });
    if (!row) throw new Error("insert into invitations returned no row");
    await recordMemberEvent(tx, actor, {
      portalId: input.portalId,
      action: "invited",
      subjectEmail: input.email,
      role: input.role,
    });
    return row.id;
  });
  const isMailed = await mailInvitation({
    kind: "portal_member",
    email: input.email,
    locale,
    token,
    expiresAt,
    inviterName: await nameOf(db, actor),
    officeName: portal.name,
    role: input.role,
  });
  return { invitationId, email: input.email, isMailed };
}

/**
 * Invites one or more entrepreneurs to a dossier (its office's admins and accountants). Addresses
 * that already have access, or belong to the office's own people (who see every dossier), are
 * skipped and named in the answer. Each mail is in the invitee's language, else the dossier's.
 */
export async function inviteDossierClients(
  db: DbOrTx,
  actor: Actor,
  input: InviteDossierClientsInput,
  context: RequestContext,
): Promise<{ sent: SentInvitation[]; skipped: SkippedInvitee[] }> {
  const scope = await resolveDossierScope(db, actor, input.dossierId, "dossierMember.manage");
  const [dossier] = await db
    .select({ name: dossiers.name, locale: dossiers.locale, officeName: portals.name })
    .from(dossiers)
    .innerJoin(portals, eq(portals.id, dossiers.portalId))
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)));
  if (!dossier) throw new NotFoundError();

  const [clients, officePeople] = await Promise.all([
    db
      .select({ email: users.email })
      .from(dossierMembers)
      .innerJoin(users, eq(users.id, dossierMembers.userId))
      .where(and(eq(dossierMembers.dossierId, scope.dossierId), inArray(users.email, input.emails))),
    db
      .select({ email: users.email })
      .from(portalMembers)
      .innerJoin(users, eq(users.id, portalMembers.userId))
      .where(and(eq(portalMembers.portalId, scope.portalId), inArray(users.email, input.emails))),
  ]);
  const skipped: SkippedInvitee[] = [
    ...clients.map((row) => ({ email: row.email, reason: "alreadyClient" as const })),
    ...officePeople.map((row) => ({ email: row.email, reason: "isOfficeMember" as const })),
  ];
  const emails = input.emails.filter((email) => !skipped.some((skip) => skip.email === email));
  if (emails.length === 0) return { sent: [], skipped };
  await limitPeopleRequest(db, { emails, clientAddress: context.clientAddress });

  const inviterName = await nameOf(db, actor);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const prepared = await Promise.all(
    emails.map(async (email) => ({
      email,
      locale: await localeFor(db, email, input.locale ?? dossier.locale),
      ...newInvitationToken(),
    })),
  );
  const ids = await db.transaction(async (tx) => {
    await tx
      .update(invitations)
      .set({ revokedAt: sql`now()`, updatedAt: sql`now()` })
      .where(
        and(
          eq(invitations.kind, "dossier_member"),
          eq(invitations.dossierId, scope.dossierId),
          inArray(invitations.email, emails),
          isOpen,
        ),
      );
    const rows = await tx
      .insert(invitations)
      .values(
        prepared.map((invitee) => ({
          kind: "dossier_member" as const,
          tokenHash: invitee.tokenHash,
          email: invitee.email,
          locale: invitee.locale,
          portalId: scope.portalId,
          dossierId: scope.dossierId,
          invitedByUserId: actor.kind === "user" ? actor.userId : null,
          expiresAt,
        })),
      )
      .returning({ id: invitations.id, email: invitations.email });
    for (const invitee of prepared) {
      await recordMemberEvent(tx, actor, {
        portalId: scope.portalId,
        dossierId: scope.dossierId,
        action: "invited",
        subjectEmail: invitee.email,
        role: "entrepreneur",
      });
    }
    return new Map(rows.map((row) => [row.email, row.id]));
  });
  const sent = await Promise.all(
    prepared.map(async (invitee) => ({
      invitationId: ids.get(invitee.email) as string,
      email: invitee.email,
      isMailed: await mailInvitation({
        kind: "dossier_member",
        email: invitee.email,
        locale: invitee.locale,
        token: invitee.token,
        expiresAt,
        inviterName,
        officeName: dossier.officeName,
        dossierName: dossier.name,
      }),
    })),
  );
  return { sent, skipped };
}

type OpenInvitation = {
  id: string;
  kind: InvitationKind;
  email: string;
  portalId: string;
  dossierId: string | null;
  role: "admin" | "accountant" | null;
};

/** An open invitation of the office that the actor may manage (404 otherwise). */
async function manageableInvitation(db: DbOrTx, actor: Actor, invitationId: string): Promise<OpenInvitation> {
  const [row] = await db
    .select({
      id: invitations.id,
      kind: invitations.kind,
      email: invitations.email,
      portalId: invitations.portalId,
      dossierId: invitations.dossierId,
      role: invitations.role,
    })
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), isOpen))
    .limit(1);
  if (!row?.portalId) throw new NotFoundError();
  if (row.kind === "dossier_member" && row.dossierId) {
    authorize(actor, "dossierMember.manage", { portalId: row.portalId, dossierId: row.dossierId });
  } else if (row.kind === "portal_member") {
    authorize(actor, "member.manage", { portalId: row.portalId });
  } else {
    throw new NotFoundError();
  }
  return { ...row, portalId: row.portalId };
}

/** Sends an open invitation again with a new link and a new week; the old link stops working. */
export async function resendInvitation(
  db: DbOrTx,
  actor: Actor,
  invitationId: string,
  context: RequestContext,
): Promise<SentInvitation> {
  const invitation = await manageableInvitation(db, actor, invitationId);
  await limitPeopleRequest(db, { emails: [invitation.email], clientAddress: context.clientAddress });
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const details = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(invitations)
      .set({ tokenHash, expiresAt, sentAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(invitations.id, invitation.id), isOpen))
      .returning({ locale: invitations.locale });
    if (!updated) throw new NotFoundError();
    await recordMemberEvent(tx, actor, {
      portalId: invitation.portalId,
      dossierId: invitation.dossierId,
      action: "invitation_resent",
      subjectEmail: invitation.email,
      role: invitation.kind === "dossier_member" ? "entrepreneur" : invitation.role,
    });
    const [names] = await tx
      .select({ officeName: portals.name, dossierName: dossiers.name })
      .from(portals)
      .leftJoin(dossiers, and(eq(dossiers.portalId, portals.id), eq(dossiers.id, sql`${invitation.dossierId}::uuid`)))
      .where(eq(portals.id, invitation.portalId));
    return { locale: updated.locale, ...names };
  });
  const isMailed = await mailInvitation({
    kind: invitation.kind,
    email: invitation.email,
    locale: details.locale,
    token,
    expiresAt,
    inviterName: await nameOf(db, actor),
    officeName: details.officeName,
    dossierName: details.dossierName,
    role: invitation.role,
  });
  return { invitationId: invitation.id, email: invitation.email, isMailed };
}

/** Revokes an open invitation: its link then shows "revoked" and changes nothing. */
export async function revokeInvitation(db: DbOrTx, actor: Actor, invitationId: string): Promise<void> {
  const invitation = await manageableInvitation(db, actor, invitationId);
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(invitations.id, invitation.id), isOpen))
      .returning({ id: invitations.id });
    if (!revoked) throw new NotFoundError();
    await recordMemberEvent(tx, actor, {
      portalId: invitation.portalId,
      dossierId: invitation.dossierId,
      action: "invitation_revoked",
      subjectEmail: invitation.email,
      role: invitation.kind === "dossier_member" ? "entrepreneur" : invitation.role,
    });
  });
}

/** Open, unexpired invitations are "pending"; expired ones are listed too, to resend or revoke. */
export function isPendingInvitation(invitation: { expiresAt: Date }, now: Date = new Date()): boolean {
  return invitation.expiresAt.getTime() > now.getTime();
}
