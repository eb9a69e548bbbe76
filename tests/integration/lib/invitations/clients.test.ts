import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { invitations, memberEvents } from "@/db/schema";
import { API_SCOPES } from "@/lib/auth/scopes";
import { RateLimitedError } from "@/lib/errors";
import { acceptInvitation } from "@/lib/invitations/accept";
import { INVITATION_TTL_MS, inviteDossierClients, resendInvitation, revokeInvitation } from "@/lib/invitations/create";
import { inviteDossierClientsSchema } from "@/lib/invitations/schemas";
import { PEOPLE_POLICIES } from "@/lib/rate-limit/people";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import {
  BASE_URL,
  type ClientsWorld,
  createClientsWorld,
  mailsTo,
  tokenOf,
  useEnv,
  useTestDbForMail,
} from "../members/dossier-clients-setup";

// inviteDossierClients, resendInvitation and revokeInvitation for a dossier's entrepreneurs: what
// is stored, what is mailed, who may, and the people rate limit (lib/rate-limit/people.ts). Clocks
// are set where a window matters, never waited for.

let opened: OpenedDb;
let db: Db;
let world: ClientsWorld;
const restore: (() => void)[] = [];
let clientCounter = 0;
const context = () => ({ clientAddress: `203.0.113.${++clientCounter}` });
let addressCounter = 0;
const newAddress = (name: string) => `${name}.${++addressCounter}@client.test`;

beforeAll(async () => {
  restore.push(useEnv({ AUTH_URL: BASE_URL }));
  opened = await createTestDb();
  db = opened.db;
  restore.push(useTestDbForMail(opened));
  world = await createClientsWorld(db);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  for (const undo of restore.reverse()) undo();
  await opened?.close();
});

async function invitationRow(id: string) {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
  if (!row) throw new Error(`no invitation ${id}`);
  return row;
}

async function inviteOne(email: string, actor = world.people.accountant.actor) {
  const { sent } = await inviteDossierClients(db, actor, { dossierId: world.dossier.id, emails: [email] }, context());
  const invitationId = sent[0]?.invitationId;
  if (!invitationId) throw new Error(`${email} was not invited`);
  return invitationId;
}

describe("the invitation form's addresses", () => {
  it("splits on commas, semicolons, spaces and new lines, lower-cases and drops repeats", () => {
    const parsed = inviteDossierClientsSchema.parse({
      dossierId: world.dossier.id,
      emails: " Claire@Lemaire.be, compta@lemaire.be;\nclaire@lemaire.be  boss@lemaire.be ",
    });
    expect(parsed.emails).toEqual(["claire@lemaire.be", "compta@lemaire.be", "boss@lemaire.be"]);
  });

  it("refuses an empty list, a bad address and more than 20", () => {
    const errorsOf = (emails: string) => {
      const result = inviteDossierClientsSchema.safeParse({ dossierId: world.dossier.id, emails });
      return result.success ? [] : result.error.issues.map((issue) => issue.message);
    };
    expect(errorsOf(" \n ")).toContain("emails.required");
    expect(errorsOf("claire@lemaire.be, not-an-address")).toContain("emails.invalid");
    const many = Array.from({ length: 21 }, (_, index) => `p${index}@lemaire.be`).join("\n");
    expect(errorsOf(many)).toContain("emails.tooMany");
  });
});

describe("inviteDossierClients", () => {
  it("stores only the hash of the mailed token, bound to the address, for 7 days, and records who invited", async () => {
    const email = newAddress("hash");
    const before = Date.now();
    const invitationId = await inviteOne(email);
    const after = Date.now();

    const row = await invitationRow(invitationId);
    const token = tokenOf((await mailsTo(db, email))[0] ?? { text: "" });
    expect(row).toMatchObject({
      kind: "dossier_member",
      email,
      locale: "fr",
      portalId: world.portal.id,
      dossierId: world.dossier.id,
      invitedByUserId: world.people.accountant.user.id,
      tokenHash: createHash("sha256").update(token).digest("hex"),
      acceptedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + INVITATION_TTL_MS);
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(after + INVITATION_TTL_MS);
    const [event] = await db
      .select()
      .from(memberEvents)
      .where(and(eq(memberEvents.subjectEmail, email), eq(memberEvents.action, "invited")));
    expect(event).toMatchObject({
      portalId: world.portal.id,
      dossierId: world.dossier.id,
      actorUserId: world.people.accountant.user.id,
      actorLabel: "Bart Peeters",
      role: "entrepreneur",
    });
  });

  it("replaces an open invitation of the same address: the older link stops working", async () => {
    const email = newAddress("again");
    const firstId = await inviteOne(email);
    const firstToken = tokenOf((await mailsTo(db, email))[0] ?? { text: "" });
    const secondId = await inviteOne(email, world.people.admin.actor);

    expect(secondId).not.toBe(firstId);
    expect((await invitationRow(firstId)).revokedAt).not.toBeNull();
    expect((await invitationRow(secondId)).revokedAt).toBeNull();
    await expect(acceptInvitation(db, firstToken)).rejects.toMatchObject({ messageKey: "invitation.revoked" });
  });

  it("keeps the invitation open when its mail cannot be sent, so it can be sent again", async () => {
    const resend = await startFakeResend();
    const undoEnv = useEnv({ AUTH_URL: BASE_URL, RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const email = newAddress("bounce");
      resend.respondWith({ status: 500, body: { name: "internal_server_error", message: "down", statusCode: 500 } });
      const result = await inviteDossierClients(
        db,
        world.people.accountant.actor,
        { dossierId: world.dossier.id, emails: [email] },
        context(),
      );
      expect(result.sent).toEqual([{ invitationId: expect.any(String), email, isMailed: false }]);
      const invitationId = result.sent[0]?.invitationId ?? "";
      expect(await invitationRow(invitationId)).toMatchObject({ acceptedAt: null, revokedAt: null });

      resend.respondWith(undefined);
      const again = await resendInvitation(db, world.people.accountant.actor, invitationId, context());
      expect(again).toEqual({ invitationId, email, isMailed: true });
      const bodies = resend.requests.map((request) => request.body as { to: string[]; subject: string });
      expect(bodies).toHaveLength(2);
      expect(bodies.every((body) => body.to.includes(email))).toBe(true);
      // Each send is a new token, so a new idempotency key: the retry is not swallowed as a replay.
      const keys = resend.requests.map((request) => request.headers["idempotency-key"]);
      expect(new Set(keys).size).toBe(2);
      // The failure is logged for the operator, never shown to the person.
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("mail to an invitee failed"), expect.anything());
    } finally {
      logged.mockRestore();
      undoEnv();
      await resend.close();
    }
  });

  it("refuses the dossier's entrepreneur (403), outsiders and API keys (404 or 403) and stores nothing", async () => {
    const email = newAddress("refused");
    const { people } = world;
    const input = { dossierId: world.dossier.id, emails: [email] };
    await expect(inviteDossierClients(db, people.entrepreneur.actor, input, context())).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.otherAccountant, people.foreignEntrepreneur]) {
      await expect(inviteDossierClients(db, outsider.actor, input, context())).rejects.toMatchObject({
        code: "not_found",
      });
    }
    // Inviting people is not something an API key of the office may do (no scope covers it).
    const token = {
      kind: "token" as const,
      tokenId: "00000000-0000-4000-8000-000000000001",
      portalId: world.portal.id,
      role: "admin" as const,
      scopes: API_SCOPES,
    };
    await expect(inviteDossierClients(db, token, input, context())).rejects.toMatchObject({ code: "forbidden" });
    expect(await db.select().from(invitations).where(eq(invitations.email, email))).toEqual([]);
    expect(await mailsTo(db, email)).toEqual([]);
  });
});

describe("resendInvitation", () => {
  it("gives an expired invitation a new link and a new week, and records it", async () => {
    const email = newAddress("expired");
    const invitationId = await inviteOne(email);
    const oldToken = tokenOf((await mailsTo(db, email))[0] ?? { text: "" });
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, invitationId));
    await expect(acceptInvitation(db, oldToken)).rejects.toMatchObject({ messageKey: "invitation.expired" });
    const before = await invitationRow(invitationId);

    const result = await resendInvitation(db, world.people.admin.actor, invitationId, context());

    expect(result).toEqual({ invitationId, email, isMailed: true });
    const after = await invitationRow(invitationId);
    expect(after.tokenHash).not.toBe(before.tokenHash);
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + INVITATION_TTL_MS - 60_000);
    expect(after.locale).toBe("fr");
    const mails = await mailsTo(db, email);
    expect(mails).toHaveLength(2);
    const newToken = mails.map(tokenOf).find((token) => token !== oldToken) ?? "";
    await expect(acceptInvitation(db, oldToken)).rejects.toMatchObject({ messageKey: "invitation.unknown" });
    await expect(acceptInvitation(db, newToken)).resolves.toMatchObject({ email, dossierId: world.dossier.id });
    const actions = await db
      .select({ action: memberEvents.action, actorLabel: memberEvents.actorLabel })
      .from(memberEvents)
      .where(eq(memberEvents.subjectEmail, email))
      .orderBy(memberEvents.id);
    expect(actions.map((row) => row.action)).toEqual(["invited", "invitation_resent", "joined"]);
    expect(actions[1]?.actorLabel).toBe("Anne De Vos");
  });

  it("refuses accepted and revoked invitations (404), the entrepreneur (403) and outsiders (404)", async () => {
    const acceptedEmail = newAddress("accepted");
    const acceptedId = await inviteOne(acceptedEmail);
    await acceptInvitation(db, tokenOf((await mailsTo(db, acceptedEmail))[0] ?? { text: "" }));
    const revokedId = await inviteOne(newAddress("revoked"));
    await revokeInvitation(db, world.people.accountant.actor, revokedId);
    for (const id of [acceptedId, revokedId]) {
      await expect(resendInvitation(db, world.people.admin.actor, id, context())).rejects.toMatchObject({
        code: "not_found",
      });
    }

    const openId = await inviteOne(newAddress("open"));
    const { people } = world;
    await expect(resendInvitation(db, people.entrepreneur.actor, openId, context())).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.foreignEntrepreneur]) {
      await expect(resendInvitation(db, outsider.actor, openId, context())).rejects.toMatchObject({
        code: "not_found",
      });
    }
  });
});

describe("revokeInvitation", () => {
  it("withdraws an open invitation once: its link then changes nothing", async () => {
    const email = newAddress("withdrawn");
    const invitationId = await inviteOne(email);
    const token = tokenOf((await mailsTo(db, email))[0] ?? { text: "" });

    await revokeInvitation(db, world.people.admin.actor, invitationId);

    expect((await invitationRow(invitationId)).revokedAt).not.toBeNull();
    await expect(acceptInvitation(db, token)).rejects.toMatchObject({ messageKey: "invitation.revoked" });
    await expect(revokeInvitation(db, world.people.admin.actor, invitationId)).rejects.toMatchObject({
      code: "not_found",
    });
    const events = await db
      .select({ action: memberEvents.action })
      .from(memberEvents)
      .where(eq(memberEvents.subjectEmail, email));
    expect(events.map((event) => event.action)).toEqual(["invited", "invitation_revoked"]);
  });

  it("refuses the entrepreneur (403) and outsiders (404), and leaves the invitation open", async () => {
    const invitationId = await inviteOne(newAddress("kept"));
    const { people } = world;
    await expect(revokeInvitation(db, people.entrepreneur.actor, invitationId)).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.otherAccountant, people.foreignEntrepreneur]) {
      await expect(revokeInvitation(db, outsider.actor, invitationId)).rejects.toMatchObject({ code: "not_found" });
    }
    expect((await invitationRow(invitationId)).revokedAt).toBeNull();
  });
});

describe("the people rate limit on invitations", () => {
  // Five minutes into a 15-minute window: ten minutes are left when a limit is hit.
  const MID_WINDOW = new Date("2026-03-10T10:05:00Z");

  it("allows 5 mails per address in 15 minutes, whoever sends them, then refuses with the wait", async () => {
    vi.useFakeTimers({ now: MID_WINDOW, toFake: ["Date"] });
    const email = newAddress("limited");
    expect(PEOPLE_POLICIES.perEmail).toMatchObject({ limit: 5, windowSeconds: 15 * 60 });
    await inviteOne(email);
    for (let count = 2; count <= 4; count++) await inviteOne(email, world.people.admin.actor);
    await resendInvitation(db, world.people.accountant.actor, await inviteOneLatestId(email), context());
    expect(await mailsTo(db, email)).toHaveLength(5);

    const refused = inviteDossierClients(
      db,
      world.people.admin.actor,
      { dossierId: world.dossier.id, emails: [email] },
      context(),
    );
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toMatchObject({ code: "rate_limited", messageValues: { minutes: 10 } });
    const latest = await inviteOneLatestId(email);
    await expect(resendInvitation(db, world.people.admin.actor, latest, context())).rejects.toMatchObject({
      code: "rate_limited",
    });
    // Refused requests store and mail nothing.
    expect(await mailsTo(db, email)).toHaveLength(5);
    expect(await db.select().from(invitations).where(eq(invitations.email, email))).toHaveLength(4);

    // Another address is not held up; and the next window lets this one through again.
    await expect(inviteOne(newAddress("unaffected"))).resolves.toEqual(expect.any(String));
    vi.setSystemTime(new Date(MID_WINDOW.getTime() + 15 * 60 * 1000));
    await expect(inviteOne(email)).resolves.toEqual(expect.any(String));
  });

  it("allows 20 requests per client address in 15 minutes, then refuses even a fresh address", async () => {
    vi.useFakeTimers({ now: MID_WINDOW, toFake: ["Date"] });
    const clientAddress = "198.51.100.7";
    const invite = (email: string) =>
      inviteDossierClients(
        db,
        world.people.accountant.actor,
        { dossierId: world.dossier.id, emails: [email] },
        { clientAddress },
      );
    for (let count = 1; count <= 20; count++) await invite(newAddress("burst"));

    const fresh = newAddress("fresh");
    await expect(invite(fresh)).rejects.toMatchObject({ code: "rate_limited" });
    expect(await mailsTo(db, fresh)).toEqual([]);
    await expect(
      inviteDossierClients(
        db,
        world.people.accountant.actor,
        { dossierId: world.dossier.id, emails: [fresh] },
        context(),
      ),
    ).resolves.toMatchObject({ sent: [{ email: fresh, isMailed: true }] });
  });

  it("does not count addresses that are skipped", async () => {
    vi.useFakeTimers({ now: MID_WINDOW, toFake: ["Date"] });
    const existing = world.people.entrepreneur.user.email;
    for (let count = 1; count <= 7; count++) {
      await expect(
        inviteDossierClients(
          db,
          world.people.accountant.actor,
          { dossierId: world.dossier.id, emails: [existing] },
          context(),
        ),
      ).resolves.toEqual({ sent: [], skipped: [{ email: existing, reason: "alreadyClient" }] });
    }
  });
});

/** The open invitation of an address to the dossier under test. */
async function inviteOneLatestId(email: string): Promise<string> {
  const rows = await db
    .select({ id: invitations.id, revokedAt: invitations.revokedAt, acceptedAt: invitations.acceptedAt })
    .from(invitations)
    .where(and(eq(invitations.email, email), eq(invitations.dossierId, world.dossier.id)));
  const open = rows.find((row) => row.revokedAt === null && row.acceptedAt === null);
  if (!open) throw new Error(`no open invitation for ${email}`);
  return open.id;
}
