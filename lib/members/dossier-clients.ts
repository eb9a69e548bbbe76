import "server-only";
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { dossierMembers, dossiers, invitations, memberEvents, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import {
  isPendingInvitation,
  type RequestContext,
  resendInvitation,
  revokeInvitation,
  type SentInvitation,
} from "@/lib/invitations/create";
import { recordMemberEvent } from "./history";

/** An entrepreneur with access to the dossier. */
export type DossierClient = {
  userId: string;
  name: string | null;
  email: string;
  /** Null until they first sign in (users.lastSignedInAt). */
  lastSignedInAt: Date | null;
  /** When they got access (their dossier_members row). */
  since: Date;
};

/** An invitation to the dossier that nobody accepted or revoked yet; expired ones are listed too. */
export type DossierClientInvitation = {
  id: string;
  email: string;
  locale: Locale;
  invitedBy: string | null;
  sentAt: Date;
  expiresAt: Date;
  isExpired: boolean;
};

/** One line of the dossier's access history (member_events with this dossier). */
export type DossierClientEvent = {
  id: number;
  action: (typeof memberEvents.$inferSelect)["action"];
  actorLabel: string;
  subjectEmail: string;
  createdAt: Date;
};

export type DossierClients = {
  dossier: { id: string; portalId: string; name: string; locale: Locale };
  clients: DossierClient[];
  invitations: DossierClientInvitation[];
  history: DossierClientEvent[];
};

/** How many history lines the dossier's access page shows. */
export const DOSSIER_CLIENT_HISTORY_LIMIT = 20;

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const idSchema = z.guid();

/**
 * Who has access to a dossier (its entrepreneurs, with their last sign-in) and who is invited,
 * with the latest changes. The office's admins and accountants only: an entrepreneur of the
 * dossier gets 403, anyone else 404 (dossierMember.manage).
 */
export async function listDossierClients(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  now: Date = new Date(),
): Promise<DossierClients> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierMember.manage");
  const [[dossier], clientRows, invitationRows, history] = await Promise.all([
    db
      .select({ id: dossiers.id, portalId: dossiers.portalId, name: dossiers.name, locale: dossiers.locale })
      .from(dossiers)
      .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId))),
    db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        lastSignedInAt: users.lastSignedInAt,
        since: dossierMembers.createdAt,
      })
      .from(dossierMembers)
      .innerJoin(users, eq(users.id, dossierMembers.userId))
      .where(and(eq(dossierMembers.dossierId, scope.dossierId), eq(dossierMembers.portalId, scope.portalId)))
      .orderBy(asc(users.email)),
    db
      .select({
        id: invitations.id,
        email: invitations.email,
        locale: invitations.locale,
        inviterName: users.name,
        inviterEmail: users.email,
        sentAt: invitations.sentAt,
        expiresAt: invitations.expiresAt,
      })
      .from(invitations)
      .leftJoin(users, eq(users.id, invitations.invitedByUserId))
      .where(
        and(
          eq(invitations.kind, "dossier_member"),
          eq(invitations.dossierId, scope.dossierId),
          eq(invitations.portalId, scope.portalId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .orderBy(desc(invitations.sentAt), asc(invitations.email)),
    db
      .select({
        id: memberEvents.id,
        action: memberEvents.action,
        actorLabel: memberEvents.actorLabel,
        subjectEmail: memberEvents.subjectEmail,
        createdAt: memberEvents.createdAt,
      })
      .from(memberEvents)
      .where(and(eq(memberEvents.portalId, scope.portalId), eq(memberEvents.dossierId, scope.dossierId)))
      .orderBy(desc(memberEvents.id))
      .limit(DOSSIER_CLIENT_HISTORY_LIMIT),
  ]);
  if (!dossier) throw new NotFoundError();
  return {
    dossier,
    clients: clientRows,
    invitations: invitationRows.map(({ inviterName, inviterEmail, ...row }) => ({
      ...row,
      invitedBy: inviterName || inviterEmail || null,
      isExpired: !isPendingInvitation(row, now),
    })),
    history,
  };
}

/**
 * Takes an entrepreneur's access to a dossier away, and records it in the same transaction.
 * Memberships are read fresh on every request, so it holds from their next one. Someone who is
 * not (or no longer) an entrepreneur of this dossier is 404, so two clicks remove once.
 */
export async function removeDossierClient(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  userId: string,
): Promise<{ userId: string; email: string }> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierMember.manage");
  if (!idSchema.safeParse(userId).success) throw new NotFoundError();
  return db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(dossierMembers)
      .where(
        and(
          eq(dossierMembers.dossierId, scope.dossierId),
          eq(dossierMembers.portalId, scope.portalId),
          eq(dossierMembers.userId, userId),
        ),
      )
      .returning({ userId: dossierMembers.userId, role: dossierMembers.role });
    if (!removed) throw new NotFoundError();
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    const email = user?.email ?? userId;
    await recordMemberEvent(tx, actor, {
      portalId: scope.portalId,
      dossierId: scope.dossierId,
      action: "removed",
      subjectEmail: email,
      subjectUserId: userId,
      role: removed.role,
    });
    return { userId, email };
  });
}

/** An open invitation to this very dossier (404 for any other, and for other kinds). */
async function assertDossierInvitation(db: DbOrTx, actor: Actor, dossierId: string, invitationId: string) {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierMember.manage");
  if (!idSchema.safeParse(invitationId).success) throw new NotFoundError();
  const [row] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(
      and(
        eq(invitations.id, invitationId),
        eq(invitations.kind, "dossier_member"),
        eq(invitations.dossierId, scope.dossierId),
        eq(invitations.portalId, scope.portalId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .limit(1);
  if (!row) throw new NotFoundError();
}

/**
 * Sends an invitation to the dossier again (a new link and a new week), from the dossier's page:
 * only invitations of that dossier, so the page cannot be used to act on the office's others.
 */
export async function resendDossierClientInvitation(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  invitationId: string,
  context: RequestContext,
): Promise<SentInvitation> {
  await assertDossierInvitation(db, actor, dossierId, invitationId);
  return resendInvitation(db, actor, invitationId, context);
}

/** Withdraws an invitation to the dossier; its link then changes nothing. */
export async function revokeDossierClientInvitation(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  invitationId: string,
): Promise<void> {
  await assertDossierInvitation(db, actor, dossierId, invitationId);
  await revokeInvitation(db, actor, invitationId);
}
