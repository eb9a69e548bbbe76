import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { invitations, portals } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { signUpMode } from "@/lib/env";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { recordMemberEvent } from "@/lib/members/history";
import { limitPeopleRequest } from "@/lib/rate-limit/people";
import { INVITATION_TTL_MS, type RequestContext } from "./create";
import { invitationUrl, mailInvitation } from "./mail";
import type { OfficeSignUpInput } from "./schemas";
import { hashInvitationToken, isWellFormedToken, newInvitationToken } from "./token";

/** How long the confirmation link of a sign-up works. */
export const SIGN_UP_CONFIRMATION_TTL_MS = 24 * 60 * 60 * 1000;

/** "This office already uses Koppel: ask its admin to invite you." */
const OFFICE_EXISTS = () => new ValidationError({ companyNumber: ["signUp.officeExists"] });

async function isOfficeTaken(db: DbOrTx, companyNumber: string): Promise<boolean> {
  const [taken] = await db
    .select({ id: portals.id })
    .from(portals)
    .where(eq(portals.companyNumber, companyNumber))
    .limit(1);
  return taken !== undefined;
}

/** The open `office:invite` link behind a token, or null. */
export async function findSignUpInvite(
  db: DbOrTx,
  token: string,
): Promise<{ id: string; email: string; locale: Locale } | null> {
  if (!isWellFormedToken(token)) return null;
  const [row] = await db
    .select({ id: invitations.id, email: invitations.email, locale: invitations.locale })
    .from(invitations)
    .where(
      and(
        eq(invitations.tokenHash, hashInvitationToken(token)),
        eq(invitations.kind, "sign_up_invite"),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  return row ?? null;
}

/**
 * The /sign-up form: checks that this sign-up may happen (KOPPEL_SIGNUP, and under "invite" an
 * open `office:invite` link for this very address), that the office is not on Koppel yet, and
 * mails a confirmation link. Nothing is created until that link is followed
 * (lib/invitations/accept.ts), so an unconfirmed address never becomes an office.
 */
export async function requestOfficeSignUp(
  db: DbOrTx,
  input: OfficeSignUpInput,
  context: RequestContext,
): Promise<{ isMailed: boolean }> {
  const mode = signUpMode();
  if (mode === "off") throw new NotFoundError("signUp.closed");
  let signUpInviteId: string | undefined;
  if (mode === "invite") {
    const invite = input.inviteToken ? await findSignUpInvite(db, input.inviteToken) : null;
    if (!invite) throw new ValidationError({ inviteToken: ["signUp.inviteNeeded"] }, "signUp.inviteNeeded");
    if (invite.email !== input.email) throw new ValidationError({ email: ["signUp.inviteOtherEmail"] });
    signUpInviteId = invite.id;
  }
  // Counted first, so whether a company uses Koppel cannot be probed without limit.
  await limitPeopleRequest(db, { emails: [input.email], clientAddress: context.clientAddress });
  if (await isOfficeTaken(db, input.companyNumber)) throw OFFICE_EXISTS();

  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + SIGN_UP_CONFIRMATION_TTL_MS);
  await db.insert(invitations).values({
    kind: "office_sign_up",
    tokenHash,
    email: input.email,
    locale: input.locale,
    signUp: {
      officeName: input.officeName,
      companyNumber: input.companyNumber,
      personName: input.personName,
      ...(signUpInviteId ? { signUpInviteId } : {}),
    },
    expiresAt,
  });
  const isMailed = await mailInvitation({
    kind: "office_sign_up",
    email: input.email,
    locale: input.locale,
    token,
    expiresAt,
    officeName: input.officeName,
  });
  return { isMailed };
}

/**
 * `npm run office:invite`: a single-use link that opens /sign-up for one address (for
 * KOPPEL_SIGNUP=invite). Mailed, and answered so the operator can pass it on another way.
 */
export async function createSignUpInvite(
  db: DbOrTx,
  input: { email: string; locale: Locale },
): Promise<{ url: string; expiresAt: Date; isMailed: boolean }> {
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await db.insert(invitations).values({
    kind: "sign_up_invite",
    tokenHash,
    email: input.email,
    locale: input.locale,
    expiresAt,
  });
  const isMailed = await mailInvitation({
    kind: "sign_up_invite",
    email: input.email,
    locale: input.locale,
    token,
    expiresAt,
  });
  return { url: invitationUrl("sign_up_invite", token), expiresAt, isMailed };
}

/**
 * `npm run office:create` (any KOPPEL_SIGNUP, the only way under "off"): makes the office and
 * invites its first admin, who becomes a member by accepting. Answers the invitation's link too.
 */
export async function createOfficeByOperator(
  db: DbOrTx,
  input: { officeName: string; companyNumber: string; adminEmail: string; locale: Locale },
): Promise<{ portalId: string; url: string; expiresAt: Date; isMailed: boolean }> {
  if (await isOfficeTaken(db, input.companyNumber)) throw OFFICE_EXISTS();
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const operator = systemActor("office:create");
  const portalId = await db.transaction(async (tx) => {
    const [portal] = await tx
      .insert(portals)
      .values({ name: input.officeName, companyNumber: input.companyNumber })
      .returning({ id: portals.id });
    if (!portal) throw new Error("insert into portals returned no row");
    await tx.insert(invitations).values({
      kind: "portal_member",
      tokenHash,
      email: input.adminEmail,
      locale: input.locale,
      portalId: portal.id,
      role: "admin",
      expiresAt,
    });
    await recordMemberEvent(tx, operator, {
      portalId: portal.id,
      action: "office_created",
      subjectEmail: input.adminEmail,
    });
    await recordMemberEvent(tx, operator, {
      portalId: portal.id,
      action: "invited",
      subjectEmail: input.adminEmail,
      role: "admin",
    });
    return portal.id;
  });
  const isMailed = await mailInvitation({
    kind: "portal_member",
    email: input.adminEmail,
    locale: input.locale,
    token,
    expiresAt,
    officeName: input.officeName,
    role: "admin",
  });
  return { portalId, url: invitationUrl("portal_member", token), expiresAt, isMailed };
}
