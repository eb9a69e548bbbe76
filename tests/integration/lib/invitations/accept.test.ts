import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, invitations, memberEvents, outboxEmails, portalMembers, portals, users } from "@/db/schema";
import { loadUserActor } from "@/lib/auth/load-actor";
import {
  acceptInvitation,
  InvitationUnusableError,
  landingOfAcceptedInvitation,
  viewInvitation,
} from "@/lib/invitations/accept";
import { inviteDossierClients, invitePortalMember, resendInvitation, revokeInvitation } from "@/lib/invitations/create";
import { hashInvitationToken } from "@/lib/invitations/token";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

const CONTEXT = { clientAddress: "192.0.2.10" };

let opened: OpenedDb;
let portalId = "";
let otherPortalId = "";
let adminId = "";
let dossier: { id: string; portalId: string };

/** The token of the newest mail to an address, read from the link in the local outbox. */
async function tokenMailedTo(email: string): Promise<string> {
  const rows = await opened.db
    .select({ text: outboxEmails.text })
    .from(outboxEmails)
    .where(sql`${email} = any(${outboxEmails.to})`)
    .orderBy(sql`${outboxEmails.createdAt} desc`)
    .limit(1);
  const match = rows[0]?.text.match(/\/invitations\/([A-Za-z0-9_-]{43})/);
  if (!match?.[1]) throw new Error(`no invitation mailed to ${email}`);
  return match[1];
}

async function adminActor() {
  return loadUserActor(opened.db, adminId);
}

beforeAll(async () => {
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  const portal = await insertPortal(opened.db, "Kantoor Peeters");
  const other = await insertPortal(opened.db, "Cabinet Lambert");
  portalId = portal.id;
  otherPortalId = other.id;
  const [admin] = await opened.db
    .insert(users)
    .values({ email: "an@peeters.test", name: "An Peeters" })
    .returning({ id: users.id });
  adminId = admin?.id ?? "";
  await opened.db.insert(portalMembers).values({ portalId, userId: adminId, role: "admin" });
  dossier = await insertDossier(opened.db, portalId);
});
afterAll(async () => {
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("an invitation to the office", () => {
  it("mails a link in the invitee's language, stores only its hash, and makes them a member once accepted", async () => {
    const sent = await invitePortalMember(
      opened.db,
      await adminActor(),
      { portalId, email: "bert@peeters.test", role: "accountant", locale: "fr" },
      CONTEXT,
    );
    expect(sent.isMailed).toBe(true);
    const token = await tokenMailedTo("bert@peeters.test");
    const [mail] = await opened.db
      .select()
      .from(outboxEmails)
      .where(sql`'bert@peeters.test' = any(${outboxEmails.to})`);
    expect(mail?.subject).toBe("An Peeters vous invite à rejoindre Kantoor Peeters sur Koppel");
    const [stored] = await opened.db.select().from(invitations).where(eq(invitations.id, sent.invitationId));
    expect(stored?.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    const view = await viewInvitation(opened.db, token);
    expect(view).toMatchObject({
      kind: "portal_member",
      role: "accountant",
      officeName: "Kantoor Peeters",
      inviterName: "An Peeters",
    });

    const accepted = await acceptInvitation(opened.db, token);
    const actor = await loadUserActor(opened.db, accepted.userId);
    expect(actor.kind === "user" && actor.portalRoles).toEqual({ [portalId]: "accountant" });
    const [user] = await opened.db.select().from(users).where(eq(users.id, accepted.userId));
    expect(user).toMatchObject({ email: "bert@peeters.test", locale: "fr" });
    expect(user?.emailVerified).toBeInstanceOf(Date);
    expect(await landingOfAcceptedInvitation(opened.db, token, accepted.userId)).toBe(`/portals/${portalId}`);
    expect(await landingOfAcceptedInvitation(opened.db, token, adminId)).toBeNull();

    const history = await opened.db
      .select({ action: memberEvents.action, actorLabel: memberEvents.actorLabel, subject: memberEvents.subjectEmail })
      .from(memberEvents)
      .where(and(eq(memberEvents.portalId, portalId), eq(memberEvents.subjectEmail, "bert@peeters.test")))
      .orderBy(memberEvents.id);
    expect(history).toEqual([
      { action: "invited", actorLabel: "An Peeters", subject: "bert@peeters.test" },
      { action: "joined", actorLabel: "bert@peeters.test", subject: "bert@peeters.test" },
    ]);
  });

  it("works once: a second accept is refused as used and changes nothing", async () => {
    await invitePortalMember(
      opened.db,
      await adminActor(),
      { portalId, email: "carla@peeters.test", role: "admin", locale: "nl" },
      CONTEXT,
    );
    const token = await tokenMailedTo("carla@peeters.test");
    await acceptInvitation(opened.db, token);
    const before = await opened.db.select().from(portalMembers).where(eq(portalMembers.portalId, portalId));
    await expect(acceptInvitation(opened.db, token)).rejects.toMatchObject({ state: "used" });
    await expect(viewInvitation(opened.db, token)).rejects.toMatchObject({ state: "used" });
    expect(await opened.db.select().from(portalMembers).where(eq(portalMembers.portalId, portalId))).toEqual(before);
  });

  it("refuses expired, revoked and unknown links, and a resend makes the old link stop working", async () => {
    const actor = await adminActor();
    const expired = await invitePortalMember(
      opened.db,
      actor,
      { portalId, email: "dirk@peeters.test", role: "accountant", locale: "nl" },
      CONTEXT,
    );
    const expiredToken = await tokenMailedTo("dirk@peeters.test");
    await opened.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.invitationId));
    await expect(acceptInvitation(opened.db, expiredToken)).rejects.toMatchObject({ state: "expired" });
    await expect(viewInvitation(opened.db, expiredToken)).rejects.toMatchObject({ state: "expired" });

    // Resending an expired invitation gives a new link and a new week; the old one is unknown now.
    await resendInvitation(opened.db, actor, expired.invitationId, CONTEXT);
    const freshToken = await tokenMailedTo("dirk@peeters.test");
    expect(freshToken).not.toBe(expiredToken);
    await expect(acceptInvitation(opened.db, expiredToken)).rejects.toMatchObject({ state: "unknown" });
    await revokeInvitation(opened.db, actor, expired.invitationId);
    await expect(acceptInvitation(opened.db, freshToken)).rejects.toMatchObject({ state: "revoked" });

    await expect(acceptInvitation(opened.db, "nope")).rejects.toBeInstanceOf(InvitationUnusableError);
    await expect(acceptInvitation(opened.db, "A".repeat(43))).rejects.toMatchObject({ state: "unknown" });
    const [dirk] = await opened.db.select().from(users).where(eq(users.email, "dirk@peeters.test"));
    expect(dirk).toBeUndefined();
  });

  it("refuses to invite someone who is already a member, and lets only the office's admins invite", async () => {
    await expect(
      invitePortalMember(
        opened.db,
        await adminActor(),
        { portalId, email: "an@peeters.test", role: "admin", locale: "nl" },
        CONTEXT,
      ),
    ).rejects.toMatchObject({ fieldErrors: { email: ["invitation.alreadyMember"] } });
    const [bert] = await opened.db.select({ id: users.id }).from(users).where(eq(users.email, "bert@peeters.test"));
    const accountant = await loadUserActor(opened.db, bert?.id ?? "");
    await expect(
      invitePortalMember(
        opened.db,
        accountant,
        { portalId, email: "x@peeters.test", role: "admin", locale: "nl" },
        CONTEXT,
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      invitePortalMember(
        opened.db,
        await adminActor(),
        { portalId: otherPortalId, email: "x@lambert.test", role: "admin", locale: "nl" },
        CONTEXT,
      ),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("an invitation to a dossier", () => {
  it("gives the entrepreneur this dossier only, and an existing person keeps their account and language", async () => {
    const [existing] = await opened.db
      .insert(users)
      .values({ email: "eva@bakkerij.test", name: "Eva", locale: "en" })
      .returning({ id: users.id });
    const result = await inviteDossierClients(
      opened.db,
      await adminActor(),
      { dossierId: dossier.id, emails: ["eva@bakkerij.test", "an@peeters.test"] },
      CONTEXT,
    );
    expect(result.skipped).toEqual([{ email: "an@peeters.test", reason: "isOfficeMember" }]);
    expect(result.sent.map((sent) => sent.email)).toEqual(["eva@bakkerij.test"]);
    const token = await tokenMailedTo("eva@bakkerij.test");
    const [mail] = await opened.db
      .select()
      .from(outboxEmails)
      .where(sql`'eva@bakkerij.test' = any(${outboxEmails.to})`);
    expect(mail?.subject).toMatch(/^Kantoor Peeters invites you to send your documents for /);

    const accepted = await acceptInvitation(opened.db, token);
    expect(accepted.userId).toBe(existing?.id);
    const actor = await loadUserActor(opened.db, accepted.userId);
    expect(actor.kind === "user" && actor).toMatchObject({ portalRoles: {}, dossiers: { [dossier.id]: portalId } });
    expect(await landingOfAcceptedInvitation(opened.db, token, accepted.userId)).toBe(`/dossiers/${dossier.id}`);
    const members = await opened.db.select().from(dossierMembers).where(eq(dossierMembers.dossierId, dossier.id));
    expect(members).toHaveLength(1);
  });
});

describe("limits on requests that mail someone", () => {
  it("allows 5 invitations per address in 15 minutes, then refuses with rate_limited", async () => {
    const actor = await adminActor();
    for (let attempt = 0; attempt < 5; attempt++) {
      await invitePortalMember(
        opened.db,
        actor,
        { portalId, email: "flood@peeters.test", role: "accountant", locale: "nl" },
        { clientAddress: "192.0.2.99" },
      );
    }
    await expect(
      invitePortalMember(
        opened.db,
        actor,
        { portalId, email: "flood@peeters.test", role: "accountant", locale: "nl" },
        { clientAddress: "192.0.2.99" },
      ),
    ).rejects.toMatchObject({ code: "rate_limited", httpStatus: 429 });
    // Each invitation replaced the previous one: one link works, the newest.
    const open = await opened.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.email, "flood@peeters.test"), sql`${invitations.revokedAt} is null`));
    expect(open).toHaveLength(1);
  });

  it("allows 20 requests per client address across different addresses", async () => {
    const actor = await adminActor();
    for (let index = 0; index < 20; index++) {
      await invitePortalMember(
        opened.db,
        actor,
        { portalId, email: `person${index}@peeters.test`, role: "accountant", locale: "nl" },
        { clientAddress: "198.51.100.7" },
      );
    }
    await expect(
      invitePortalMember(
        opened.db,
        actor,
        { portalId, email: "person20@peeters.test", role: "accountant", locale: "nl" },
        { clientAddress: "198.51.100.7" },
      ),
    ).rejects.toMatchObject({ code: "rate_limited" });
    // Another client address is not affected.
    await invitePortalMember(
      opened.db,
      actor,
      { portalId, email: "person20@peeters.test", role: "accountant", locale: "nl" },
      { clientAddress: "198.51.100.8" },
    );
  });
});

describe("an office that no longer exists", () => {
  it("takes its open invitations with it", async () => {
    const gone = await insertPortal(opened.db, "Gone office");
    await opened.db.insert(portalMembers).values({ portalId: gone.id, userId: adminId, role: "admin" });
    await invitePortalMember(
      opened.db,
      await adminActor(),
      { portalId: gone.id, email: "late@gone.test", role: "admin", locale: "nl" },
      CONTEXT,
    );
    const token = await tokenMailedTo("late@gone.test");
    await opened.db.delete(portals).where(eq(portals.id, gone.id));
    await expect(acceptInvitation(opened.db, token)).rejects.toMatchObject({ state: "unknown" });
  });
});
