import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossierMembers, dossiers, invitations, type OfficeSignUp, portalMembers, portals, users } from "@/db/schema";
import { AppError, isUniqueViolation } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { recordMemberEvent } from "@/lib/members/history";
import type { InvitationKind } from "./mail";
import { hashInvitationToken, isWellFormedToken } from "./token";

/** Why a link cannot be used; its page explains each, and nothing changes. */
export type UnusableInvitationState = "unknown" | "expired" | "revoked" | "used" | "officeExists";

export class InvitationUnusableError extends AppError {
  readonly state: UnusableInvitationState;

  constructor(state: UnusableInvitationState) {
    super(state === "unknown" ? "not_found" : "conflict", `invitation.${state}`, state === "unknown" ? 404 : 409);
    this.state = state;
  }
}

/** What the invitation page shows before the person accepts. */
export type InvitationView = {
  kind: InvitationKind;
  email: string;
  locale: Locale;
  expiresAt: Date;
  role: "admin" | "accountant" | null;
  inviterName: string | null;
  officeName: string | null;
  dossierName: string | null;
  signUp: OfficeSignUp | null;
};

const invitationColumns = {
  id: invitations.id,
  kind: invitations.kind,
  email: invitations.email,
  locale: invitations.locale,
  portalId: invitations.portalId,
  dossierId: invitations.dossierId,
  role: invitations.role,
  signUp: invitations.signUp,
  invitedByUserId: invitations.invitedByUserId,
  expiresAt: invitations.expiresAt,
  acceptedAt: invitations.acceptedAt,
  revokedAt: invitations.revokedAt,
};

function stateOf(
  row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
): UnusableInvitationState | null {
  if (row.acceptedAt) return "used";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  return null;
}

/** Reads an invitation by its token for its page; throws InvitationUnusableError when it cannot be used. */
export async function viewInvitation(db: DbOrTx, token: string, now: Date = new Date()): Promise<InvitationView> {
  if (!isWellFormedToken(token)) throw new InvitationUnusableError("unknown");
  const [row] = await db
    .select({
      ...invitationColumns,
      inviterName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      officeName: portals.name,
      dossierName: dossiers.name,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .leftJoin(portals, eq(portals.id, invitations.portalId))
    .leftJoin(dossiers, and(eq(dossiers.id, invitations.dossierId), eq(dossiers.portalId, invitations.portalId)))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .limit(1);
  if (!row) throw new InvitationUnusableError("unknown");
  const state = stateOf(row, now);
  if (state) throw new InvitationUnusableError(state);
  if (row.kind === "office_sign_up" && row.signUp) {
    const [taken] = await db
      .select({ id: portals.id })
      .from(portals)
      .where(eq(portals.companyNumber, row.signUp.companyNumber))
      .limit(1);
    if (taken) throw new InvitationUnusableError("officeExists");
  }
  return {
    kind: row.kind,
    email: row.email,
    locale: row.locale,
    expiresAt: row.expiresAt,
    role: row.role,
    inviterName: row.invitedByUserId ? row.inviterName : null,
    officeName: row.kind === "office_sign_up" ? (row.signUp?.officeName ?? null) : row.officeName,
    dossierName: row.dossierName,
    signUp: row.signUp,
  };
}

export type AcceptedInvitation = {
  userId: string;
  email: string;
  name: string | null;
  kind: InvitationKind;
  portalId: string;
  dossierId: string | null;
};

/**
 * Uses an invitation, all in one transaction: marks it used (only an open, unexpired one, so of
 * two concurrent accepts exactly one wins and the other sees "used"), finds or creates the
 * person by the invited address (which accepting proves they read), and gives them what the
 * invitation says: a membership of the office, access to a dossier, or, for a sign-up, a new
 * office with them as its first admin. A failure anywhere leaves everything as it was.
 * `sign_up_invite` links are not accepted here: they open the sign-up form, and are used when
 * that sign-up is confirmed.
 */
export async function acceptInvitation(db: DbOrTx, token: string): Promise<AcceptedInvitation> {
  if (!isWellFormedToken(token)) throw new InvitationUnusableError("unknown");
  const tokenHash = hashInvitationToken(token);
  try {
    return await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(invitations)
        .set({ acceptedAt: sql`now()`, updatedAt: sql`now()` })
        .where(
          and(
            eq(invitations.tokenHash, tokenHash),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, sql`now()`),
            sql`${invitations.kind} <> 'sign_up_invite'`,
          ),
        )
        .returning(invitationColumns);
      if (!claimed) {
        const [row] = await tx
          .select({
            kind: invitations.kind,
            acceptedAt: invitations.acceptedAt,
            revokedAt: invitations.revokedAt,
            expiresAt: invitations.expiresAt,
          })
          .from(invitations)
          .where(eq(invitations.tokenHash, tokenHash))
          .limit(1);
        throw new InvitationUnusableError(
          !row || row.kind === "sign_up_invite" ? "unknown" : (stateOf(row, new Date()) ?? "used"),
        );
      }

      const [user] = await tx
        .insert(users)
        .values({
          email: claimed.email,
          name: claimed.signUp?.personName ?? null,
          locale: claimed.locale,
          emailVerified: new Date(),
        })
        .onConflictDoUpdate({
          target: users.email,
          set: {
            emailVerified: sql`coalesce(${users.emailVerified}, now())`,
            name: sql`coalesce(${users.name}, excluded.name)`,
            updatedAt: sql`now()`,
          },
        })
        .returning({ id: users.id, email: users.email, name: users.name });
      if (!user) throw new Error("upsert into users returned no row");
      await tx.update(invitations).set({ acceptedByUserId: user.id }).where(eq(invitations.id, claimed.id));
      const joined = { action: "joined" as const, subjectEmail: user.email, subjectUserId: user.id };
      const actor = { kind: "user" as const, userId: user.id, portalRoles: {}, dossiers: {} };

      if (claimed.kind === "office_sign_up") {
        const signUp = claimed.signUp;
        if (!signUp) throw new Error(`sign-up invitation ${claimed.id} has no office`);
        const [portal] = await tx
          .insert(portals)
          .values({ name: signUp.officeName, companyNumber: signUp.companyNumber })
          .returning({ id: portals.id });
        if (!portal) throw new Error("insert into portals returned no row");
        await tx.insert(portalMembers).values({ portalId: portal.id, userId: user.id, role: "admin" });
        if (signUp.signUpInviteId) {
          const [used] = await tx
            .update(invitations)
            .set({ acceptedAt: sql`now()`, acceptedByUserId: user.id, updatedAt: sql`now()` })
            .where(
              and(
                eq(invitations.id, signUp.signUpInviteId),
                eq(invitations.kind, "sign_up_invite"),
                isNull(invitations.acceptedAt),
                isNull(invitations.revokedAt),
              ),
            )
            .returning({ id: invitations.id });
          if (!used) throw new InvitationUnusableError("used");
        }
        await recordMemberEvent(tx, actor, { portalId: portal.id, ...joined, action: "office_created", role: "admin" });
        return {
          userId: user.id,
          email: user.email,
          name: user.name,
          kind: claimed.kind,
          portalId: portal.id,
          dossierId: null,
        };
      }

      const portalId = claimed.portalId;
      if (!portalId) throw new Error(`invitation ${claimed.id} has no office`);
      if (claimed.kind === "portal_member") {
        const role = claimed.role ?? "accountant";
        await tx.insert(portalMembers).values({ portalId, userId: user.id, role }).onConflictDoNothing();
        await recordMemberEvent(tx, actor, { portalId, ...joined, role });
        return { userId: user.id, email: user.email, name: user.name, kind: claimed.kind, portalId, dossierId: null };
      }
      const dossierId = claimed.dossierId;
      if (!dossierId) throw new Error(`invitation ${claimed.id} has no dossier`);
      await tx
        .insert(dossierMembers)
        .values({ portalId, dossierId, userId: user.id, role: "entrepreneur" })
        .onConflictDoNothing();
      await recordMemberEvent(tx, actor, { portalId, dossierId, ...joined, role: "entrepreneur" });
      return { userId: user.id, email: user.email, name: user.name, kind: claimed.kind, portalId, dossierId };
    });
  } catch (error) {
    // Two sign-ups of one company confirmed at once: the unique index decides.
    if (isUniqueViolation(error, "portals_company_number_uq")) throw new InvitationUnusableError("officeExists");
    throw error;
  }
}

/** Where someone lands after accepting: an entrepreneur on the dossier's documents, office people on the overview. */
export function landingAfterAccepting(accepted: Pick<AcceptedInvitation, "portalId" | "dossierId">): string {
  return accepted.dossierId ? `/dossiers/${accepted.dossierId}` : `/portals/${accepted.portalId}`;
}

/**
 * After accepting, the invitation's own link leads on: for the person who accepted it, its page
 * sends them where the invitation took them (a refresh or the back button after accepting is
 * not an error); for anyone else it is "used". Null when the token is not one they accepted.
 */
export async function landingOfAcceptedInvitation(db: DbOrTx, token: string, userId: string): Promise<string | null> {
  if (!isWellFormedToken(token)) return null;
  const [row] = await db
    .select({
      kind: invitations.kind,
      portalId: invitations.portalId,
      dossierId: invitations.dossierId,
      signUp: invitations.signUp,
    })
    .from(invitations)
    .where(and(eq(invitations.tokenHash, hashInvitationToken(token)), eq(invitations.acceptedByUserId, userId)))
    .limit(1);
  if (!row) return null;
  if (row.kind === "office_sign_up") {
    const companyNumber = row.signUp?.companyNumber;
    if (!companyNumber) return "/";
    const [portal] = await db
      .select({ id: portals.id })
      .from(portals)
      .where(eq(portals.companyNumber, companyNumber))
      .limit(1);
    return portal ? `/portals/${portal.id}` : "/";
  }
  return row.portalId ? landingAfterAccepting({ portalId: row.portalId, dossierId: row.dossierId }) : "/";
}
