import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { dossierMembers, invitations, users } from "@/db/schema";
import { loadUserActor } from "@/lib/auth/load-actor";
import { getDossierOverview } from "@/lib/dossiers/get";
import { listActorDossiers } from "@/lib/dossiers/list-for-actor";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { acceptInvitation } from "@/lib/invitations/accept";
import { inviteDossierClients, invitePortalMember } from "@/lib/invitations/create";
import {
  listDossierClients,
  removeDossierClient,
  resendDossierClientInvitation,
  revokeDossierClientInvitation,
} from "@/lib/members/dossier-clients";
import { createTestDb } from "../../../helpers/db";
import {
  BASE_URL,
  type ClientsWorld,
  createClientsWorld,
  dossierEvents,
  insertPerson,
  mailsTo,
  tokenOf,
  useEnv,
  useTestDbForMail,
} from "./dossier-clients-setup";

let opened: OpenedDb;
let db: Db;
let world: ClientsWorld;
const restore: (() => void)[] = [];
// Each test's requests come from its own client address, so the per-client limit never mixes them.
let clientCounter = 0;
const context = () => ({ clientAddress: `192.0.2.${++clientCounter}` });
let addressCounter = 0;
const newAddress = (name: string) => `${name}.${++addressCounter}@client.test`;
/** The subject of the dossier's invitation mail in one language. */
const subjectIn = (locale: Locale) =>
  translatorFor(locale)("invitations.mail.dossier_member.subject", {
    office: "Kantoor De Vos",
    dossier: "Boulangerie Lemaire",
  });

beforeAll(async () => {
  restore.push(useEnv({ AUTH_URL: BASE_URL }));
  opened = await createTestDb();
  db = opened.db;
  restore.push(useTestDbForMail(opened));
  world = await createClientsWorld(db);
});
afterAll(async () => {
  for (const undo of restore.reverse()) undo();
  await opened?.close();
});

describe("listDossierClients", () => {
  it("lists the dossier's entrepreneurs with last sign-in and since when, and its open invitations", async () => {
    const signedInAt = new Date("2026-03-01T09:30:00Z");
    await db.update(users).set({ lastSignedInAt: signedInAt }).where(eq(users.id, world.people.entrepreneur.user.id));
    const invited = newAddress("invited");
    const expired = newAddress("expired");
    const revoked = newAddress("revoked");
    await inviteDossierClients(
      db,
      world.people.accountant.actor,
      { dossierId: world.dossier.id, emails: [invited, expired, revoked] },
      context(),
    );
    await db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitations.email, expired));
    const [toRevoke] = await db.select().from(invitations).where(eq(invitations.email, revoked));
    await revokeDossierClientInvitation(db, world.people.admin.actor, world.dossier.id, toRevoke?.id ?? "");
    // Another dossier's invitation is not this dossier's business.
    await inviteDossierClients(
      db,
      world.people.admin.actor,
      { dossierId: world.neighbourDossier.id, emails: [newAddress("neighbour")] },
      context(),
    );

    const view = await listDossierClients(db, world.people.accountant.actor, world.dossier.id);

    expect(view.dossier).toMatchObject({ id: world.dossier.id, name: "Boulangerie Lemaire", locale: "fr" });
    expect(view.clients).toEqual([
      {
        userId: world.people.entrepreneur.user.id,
        name: "Claire Lemaire",
        email: world.people.entrepreneur.user.email,
        lastSignedInAt: signedInAt,
        since: expect.any(Date),
      },
    ]);
    expect(view.invitations.map((invitation) => [invitation.email, invitation.isExpired]).sort()).toEqual(
      [
        [expired, true],
        [invited, false],
      ].sort(),
    );
    expect(view.invitations[0]).toMatchObject({ locale: "fr", invitedBy: "Bart Peeters" });
    expect(view.history.map((event) => [event.action, event.subjectEmail])).toEqual(
      expect.arrayContaining([
        ["invited", invited],
        ["invitation_revoked", revoked],
      ]),
    );
    expect(view.history.filter((event) => event.subjectEmail.startsWith("neighbour."))).toEqual([]);
  });

  it("refuses the dossier's entrepreneur (403) and everyone outside the office (404)", async () => {
    const { people, dossier } = world;
    await expect(listDossierClients(db, people.entrepreneur.actor, dossier.id)).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.otherAccountant, people.foreignEntrepreneur]) {
      await expect(listDossierClients(db, outsider.actor, dossier.id)).rejects.toMatchObject({ code: "not_found" });
    }
    await expect(listDossierClients(db, people.admin.actor, "not-a-uuid")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("inviting a dossier's entrepreneurs", () => {
  it("mails each new address a link in the dossier's language, and the invitee joins on accepting", async () => {
    const first = newAddress("lemaire");
    const second = newAddress("compta");

    const result = await inviteDossierClients(
      db,
      world.people.accountant.actor,
      { dossierId: world.dossier.id, emails: [first, second] },
      context(),
    );

    expect(result.skipped).toEqual([]);
    expect(result.sent.map((sent) => [sent.email, sent.isMailed])).toEqual([
      [first, true],
      [second, true],
    ]);
    const [mail] = await mailsTo(db, first);
    // The dossier speaks French: so does the mail, naming the office and the dossier.
    expect(mail?.subject).toBe(subjectIn("fr"));
    expect(mail?.text).toContain(`${BASE_URL}/invitations/`);
    expect(await mailsTo(db, second)).toHaveLength(1);

    const accepted = await acceptInvitation(db, tokenOf(mail ?? { text: "" }));
    expect(accepted).toMatchObject({ email: first, dossierId: world.dossier.id, portalId: world.portal.id });
    const view = await listDossierClients(db, world.people.admin.actor, world.dossier.id);
    expect(view.clients.map((client) => client.email)).toContain(first);
    expect(view.invitations.map((invitation) => invitation.email)).not.toContain(first);
  });

  it("writes the mail in the language asked for, and in the invitee's own once they have an account", async () => {
    const english = newAddress("english");
    const known = await insertPerson(db, { email: newAddress("known"), locale: "nl" });

    await inviteDossierClients(
      db,
      world.people.admin.actor,
      { dossierId: world.dossier.id, emails: [english, known.user.email], locale: "en" },
      context(),
    );

    expect((await mailsTo(db, english))[0]?.subject).toBe(subjectIn("en"));
    expect((await mailsTo(db, known.user.email))[0]?.subject).toBe(subjectIn("nl"));
  });

  it("skips who already has access and the office's own people, and mails nobody of them", async () => {
    const fresh = newAddress("fresh");
    const result = await inviteDossierClients(
      db,
      world.people.accountant.actor,
      {
        dossierId: world.dossier.id,
        emails: [world.people.entrepreneur.user.email, world.people.admin.user.email, fresh],
      },
      context(),
    );

    expect(result.skipped).toEqual(
      expect.arrayContaining([
        { email: world.people.entrepreneur.user.email, reason: "alreadyClient" },
        { email: world.people.admin.user.email, reason: "isOfficeMember" },
      ]),
    );
    expect(result.skipped).toHaveLength(2);
    expect(result.sent.map((sent) => sent.email)).toEqual([fresh]);
    expect(await mailsTo(db, world.people.entrepreneur.user.email)).toEqual([]);
    expect(await mailsTo(db, world.people.admin.user.email)).toEqual([]);
    const open = await db
      .select({ email: invitations.email })
      .from(invitations)
      .where(and(eq(invitations.dossierId, world.dossier.id), eq(invitations.email, world.people.admin.user.email)));
    expect(open).toEqual([]);
  });

  it("sends nothing at all when every address is skipped", async () => {
    const result = await inviteDossierClients(
      db,
      world.people.accountant.actor,
      { dossierId: world.dossier.id, emails: [world.people.accountant.user.email] },
      context(),
    );
    expect(result).toEqual({
      sent: [],
      skipped: [{ email: world.people.accountant.user.email, reason: "isOfficeMember" }],
    });
  });
});

describe("removeDossierClient", () => {
  it("takes the access away on the person's next request, and records who did it", async () => {
    const person = await insertPerson(db, { name: "Fien Maes", dossiers: [world.dossier] });
    const before = await loadUserActor(db, person.user.id);
    await expect(getDossierOverview(db, before, world.dossier.id)).resolves.toMatchObject({ id: world.dossier.id });

    const removed = await removeDossierClient(db, world.people.accountant.actor, world.dossier.id, person.user.id);

    expect(removed).toEqual({ userId: person.user.id, email: person.user.email });
    const rows = await db.select().from(dossierMembers).where(eq(dossierMembers.userId, person.user.id));
    expect(rows).toEqual([]);
    // A fresh load of the actor, as their next request does: the dossier is gone for them.
    const after = await loadUserActor(db, person.user.id);
    await expect(getDossierOverview(db, after, world.dossier.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await listActorDossiers(db, after)).toEqual([]);
    const events = await dossierEvents(db, world.portal.id, world.dossier.id);
    expect(events.at(-1)).toMatchObject({
      action: "removed",
      dossierId: world.dossier.id,
      actorUserId: world.people.accountant.user.id,
      actorLabel: "Bart Peeters",
      subjectEmail: person.user.email,
      subjectUserId: person.user.id,
      role: "entrepreneur",
    });
    const view = await listDossierClients(db, world.people.admin.actor, world.dossier.id);
    expect(view.clients.map((client) => client.userId)).not.toContain(person.user.id);
    expect(view.history[0]).toMatchObject({ action: "removed", subjectEmail: person.user.email });
  });

  it("removes once: a second removal, someone who never had access and another dossier's entrepreneur are 404", async () => {
    const person = await insertPerson(db, { dossiers: [world.dossier] });
    await removeDossierClient(db, world.people.admin.actor, world.dossier.id, person.user.id);
    const eventsAfterFirst = (await dossierEvents(db, world.portal.id, world.dossier.id)).length;

    for (const userId of [person.user.id, world.people.admin.user.id, world.people.neighbour.user.id, "nope"]) {
      await expect(removeDossierClient(db, world.people.admin.actor, world.dossier.id, userId)).rejects.toMatchObject({
        code: "not_found",
      });
    }
    expect(await dossierEvents(db, world.portal.id, world.dossier.id)).toHaveLength(eventsAfterFirst);
    // The neighbour keeps their own dossier.
    expect(world.people.neighbour.actor.dossiers).toHaveProperty(world.neighbourDossier.id);
    expect(await loadUserActor(db, world.people.neighbour.user.id)).toMatchObject({
      dossiers: { [world.neighbourDossier.id]: world.portal.id },
    });
  });

  it("refuses the entrepreneur (403) and outsiders (404), and leaves the access in place", async () => {
    const { people, dossier } = world;
    const target = people.entrepreneur.user.id;
    await expect(removeDossierClient(db, people.entrepreneur.actor, dossier.id, target)).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.otherAccountant, people.foreignEntrepreneur]) {
      await expect(removeDossierClient(db, outsider.actor, dossier.id, target)).rejects.toMatchObject({
        code: "not_found",
      });
    }
    const rows = await db
      .select()
      .from(dossierMembers)
      .where(and(eq(dossierMembers.dossierId, dossier.id), eq(dossierMembers.userId, target)));
    expect(rows).toHaveLength(1);
  });
});

describe("resending and revoking from the dossier's page", () => {
  it("acts only on open invitations of that very dossier", async () => {
    const neighbourInvite = await inviteDossierClients(
      db,
      world.people.admin.actor,
      { dossierId: world.neighbourDossier.id, emails: [newAddress("elsewhere")] },
      context(),
    );
    const colleague = await invitePortalMember(
      db,
      world.people.admin.actor,
      { portalId: world.portal.id, email: newAddress("colleague"), role: "accountant", locale: "nl" },
      context(),
    );
    for (const invitationId of [
      neighbourInvite.sent[0]?.invitationId ?? "",
      colleague.invitationId,
      "00000000-0000-4000-8000-000000000000",
      "not-a-uuid",
    ]) {
      await expect(
        resendDossierClientInvitation(db, world.people.admin.actor, world.dossier.id, invitationId, context()),
      ).rejects.toMatchObject({ code: "not_found" });
      await expect(
        revokeDossierClientInvitation(db, world.people.admin.actor, world.dossier.id, invitationId),
      ).rejects.toMatchObject({ code: "not_found" });
    }
    const stillOpen = await db
      .select({ id: invitations.id })
      .from(invitations)
      .where(
        sql`${invitations.id} in (${neighbourInvite.sent[0]?.invitationId}, ${colleague.invitationId}) and ${invitations.revokedAt} is null`,
      );
    expect(stillOpen).toHaveLength(2);
  });

  it("resends with a new link that replaces the old one, and revokes so the link changes nothing", async () => {
    const email = newAddress("resend");
    const { sent } = await inviteDossierClients(
      db,
      world.people.accountant.actor,
      { dossierId: world.dossier.id, emails: [email] },
      context(),
    );
    const invitationId = sent[0]?.invitationId ?? "";
    const firstToken = tokenOf((await mailsTo(db, email))[0] ?? { text: "" });

    const resent = await resendDossierClientInvitation(
      db,
      world.people.accountant.actor,
      world.dossier.id,
      invitationId,
      context(),
    );
    expect(resent).toEqual({ invitationId, email, isMailed: true });
    const mails = await mailsTo(db, email);
    expect(mails).toHaveLength(2);
    const tokens = mails.map(tokenOf);
    expect(tokens).toContain(firstToken);
    const secondToken = tokens.find((token) => token !== firstToken) ?? "";
    await expect(acceptInvitation(db, firstToken)).rejects.toMatchObject({ messageKey: "invitation.unknown" });

    await revokeDossierClientInvitation(db, world.people.accountant.actor, world.dossier.id, invitationId);
    await expect(acceptInvitation(db, secondToken)).rejects.toMatchObject({ messageKey: "invitation.revoked" });
    const events = await dossierEvents(db, world.portal.id, world.dossier.id);
    expect(events.filter((event) => event.subjectEmail === email).map((event) => event.action)).toEqual([
      "invited",
      "invitation_resent",
      "invitation_revoked",
    ]);
  });

  it("refuses the dossier's entrepreneur (403) and outsiders (404)", async () => {
    const { sent } = await inviteDossierClients(
      db,
      world.people.admin.actor,
      { dossierId: world.dossier.id, emails: [newAddress("guarded")] },
      context(),
    );
    const invitationId = sent[0]?.invitationId ?? "";
    const { people, dossier } = world;
    await expect(
      resendDossierClientInvitation(db, people.entrepreneur.actor, dossier.id, invitationId, context()),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      revokeDossierClientInvitation(db, people.entrepreneur.actor, dossier.id, invitationId),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
    for (const outsider of [people.neighbour, people.otherAdmin, people.foreignEntrepreneur]) {
      await expect(
        resendDossierClientInvitation(db, outsider.actor, dossier.id, invitationId, context()),
      ).rejects.toMatchObject({ code: "not_found" });
      await expect(revokeDossierClientInvitation(db, outsider.actor, dossier.id, invitationId)).rejects.toMatchObject({
        code: "not_found",
      });
    }
    const [row] = await db.select().from(invitations).where(eq(invitations.id, invitationId));
    expect(row?.revokedAt).toBeNull();
  });
});

describe("an entrepreneur of two offices", () => {
  it("accepts both offices' invitations and finds both dossiers in the header's switcher", async () => {
    const email = newAddress("two-offices");
    await inviteDossierClients(
      db,
      world.people.accountant.actor,
      { dossierId: world.dossier.id, emails: [email] },
      context(),
    );
    await inviteDossierClients(
      db,
      world.people.otherAdmin.actor,
      { dossierId: world.foreignDossier.id, emails: [email] },
      context(),
    );
    const mails = await mailsTo(db, email);
    expect(mails).toHaveLength(2);
    let userId = "";
    for (const mail of mails) userId = (await acceptInvitation(db, tokenOf(mail))).userId;

    // As the app's layout does on every request: the actor from the database, then the switcher.
    const actor = await loadUserActor(db, userId);
    const switcher = await listActorDossiers(db, actor);
    expect(switcher.map((dossier) => [dossier.id, dossier.portalId]).sort()).toEqual(
      [
        [world.dossier.id, world.portal.id],
        [world.foreignDossier.id, world.otherPortal.id],
      ].sort(),
    );
    // Each office still sees only its own side: office B lists them on its dossier, not on A's.
    const inB = await listDossierClients(db, world.people.otherAdmin.actor, world.foreignDossier.id);
    expect(inB.clients.map((client) => client.email)).toContain(email);
    await expect(listDossierClients(db, world.people.otherAdmin.actor, world.dossier.id)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
