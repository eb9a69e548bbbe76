import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { invitations, memberEvents } from "@/db/schema";
import { type Actor, systemActor } from "@/lib/auth/actor";
import { recordMemberEvent } from "@/lib/members/history";
import { listMemberHistory, listMembers, listOpenInvitations } from "@/lib/members/list";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createOffice, insertPerson } from "./setup";

let opened: OpenedDb;
let office: Awaited<ReturnType<typeof createOffice>>;
let other: Awaited<ReturnType<typeof createOffice>>;

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2025-03-10T12:00:00Z");

async function insertInvitation(
  portalId: string,
  values: Partial<typeof invitations.$inferInsert> & { email: string },
): Promise<string> {
  const [row] = await opened.db
    .insert(invitations)
    .values({
      kind: "portal_member",
      tokenHash: randomUUID(),
      locale: "nl",
      portalId,
      role: "accountant",
      expiresAt: new Date(NOW.getTime() + 7 * DAY),
      ...values,
    })
    .returning({ id: invitations.id });
  if (!row) throw new Error("invitation not inserted");
  return row.id;
}

beforeAll(async () => {
  opened = await createTestDb();
  office = await createOffice(opened.db);
  other = await createOffice(opened.db, "Kantoor Janssens");
});
afterAll(async () => {
  await opened?.close();
});

describe("listMembers", () => {
  it("lists the office's admins first, then its accountants, with their last sign-in (null: never)", async () => {
    const signedIn = new Date("2025-03-01T08:30:00Z");
    const nameless = await insertPerson(opened.db, office.portal.id, "accountant", {
      email: "aaa-zonder-naam@kantoor.test",
      lastSignedInAt: signedIn,
    });
    const members = await listMembers(opened.db, office.admin, office.portal.id);
    expect(members.map((member) => [member.name ?? member.email, member.role])).toEqual([
      ["An Peeters", "admin"],
      ["Bart Claes", "admin"],
      ["aaa-zonder-naam@kantoor.test", "accountant"],
      ["Chris Dubois", "accountant"],
    ]);
    expect(members.find((member) => member.userId === nameless.userId)).toMatchObject({
      name: null,
      email: "aaa-zonder-naam@kantoor.test",
      lastSignedInAt: signedIn,
      isYou: false,
    });
    expect(members.find((member) => member.userId === office.accountant.userId)?.lastSignedInAt).toBeNull();
    expect(members.filter((member) => member.isYou).map((member) => member.userId)).toEqual([office.admin.userId]);
    // Entrepreneurs are the dossiers' people, not the office's members.
    expect(members.map((member) => member.userId)).not.toContain(office.entrepreneur.userId);
  });

  it.each([
    ["the office's accountant", () => office.accountant, "forbidden"],
    ["an entrepreneur of its dossier", () => office.entrepreneur, "not_found"],
    ["another office's admin", () => other.admin, "not_found"],
  ] as const)("refuses %s", async (_who, actorOf, code) => {
    await expect(listMembers(opened.db, actorOf(), office.portal.id)).rejects.toMatchObject({ code });
    await expect(listOpenInvitations(opened.db, actorOf(), office.portal.id)).rejects.toMatchObject({ code });
    await expect(listMemberHistory(opened.db, actorOf(), office.portal.id)).rejects.toMatchObject({ code });
  });

  it("refuses an admin API key: people are managed by people", async () => {
    const token: Actor = {
      kind: "token",
      tokenId: randomUUID(),
      portalId: office.portal.id,
      role: "admin",
      scopes: ["documents:read", "documents:write", "dossiers:read", "dossiers:write", "webhooks:manage"],
    };
    await expect(listMembers(opened.db, token, office.portal.id)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("answers not found for a malformed office id", async () => {
    await expect(listMembers(opened.db, systemActor("test"), "not-a-uuid")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

describe("listOpenInvitations", () => {
  it("lists the office's open invitations of admins and accountants, newest first, expired ones marked", async () => {
    const expired = await insertInvitation(office.portal.id, {
      email: "verlopen@kantoor.test",
      role: "admin",
      locale: "fr",
      invitedByUserId: office.admin.userId,
      expiresAt: new Date(NOW.getTime() - DAY),
      createdAt: new Date(NOW.getTime() - 8 * DAY),
    });
    const pending = await insertInvitation(office.portal.id, {
      email: "nieuw@kantoor.test",
      invitedByUserId: office.otherAdmin.userId,
      createdAt: new Date(NOW.getTime() - DAY),
    });
    // Not listed: used, withdrawn, a dossier's, another office's.
    await insertInvitation(office.portal.id, { email: "gebruikt@kantoor.test", acceptedAt: NOW });
    await insertInvitation(office.portal.id, { email: "ingetrokken@kantoor.test", revokedAt: NOW });
    await insertInvitation(office.portal.id, {
      email: "klant@bedrijf.test",
      kind: "dossier_member",
      role: null,
      dossierId: office.dossier.id,
    });
    await insertInvitation(other.portal.id, { email: "elders@kantoor.test" });

    const listed = await listOpenInvitations(opened.db, office.admin, office.portal.id, NOW);
    expect(listed).toEqual([
      expect.objectContaining({
        id: pending,
        email: "nieuw@kantoor.test",
        role: "accountant",
        isExpired: false,
        invitedBy: "Bart Claes",
      }),
      expect.objectContaining({
        id: expired,
        email: "verlopen@kantoor.test",
        role: "admin",
        locale: "fr",
        isExpired: true,
        invitedBy: "An Peeters",
      }),
    ]);
  });
});

describe("listMemberHistory", () => {
  it("shows the office's own events newest first, a page at a time, with the dossier of a client's access", async () => {
    const fresh = await createOffice(opened.db, "Kantoor Historiek");
    const dossier = await insertDossier(opened.db, fresh.portal.id);
    for (let index = 0; index < 5; index++) {
      await recordMemberEvent(opened.db, fresh.admin, {
        portalId: fresh.portal.id,
        action: "invited",
        subjectEmail: `collega-${index}@kantoor.test`,
        role: "accountant",
      });
    }
    await recordMemberEvent(opened.db, fresh.admin, {
      portalId: fresh.portal.id,
      dossierId: dossier.id,
      action: "invited",
      subjectEmail: "klant@bedrijf.test",
      role: "entrepreneur",
    });
    await recordMemberEvent(opened.db, systemActor("office:create"), {
      portalId: fresh.portal.id,
      action: "role_changed",
      subjectEmail: fresh.accountant.email,
      subjectUserId: fresh.accountant.userId,
      role: "admin",
      previousRole: "accountant",
    });
    await recordMemberEvent(opened.db, other.admin, {
      portalId: other.portal.id,
      action: "invited",
      subjectEmail: "elders@kantoor.test",
      role: "admin",
    });

    const first = await listMemberHistory(opened.db, fresh.admin, fresh.portal.id, { limit: 3 });
    expect(first.events.map((event) => [event.action, event.subjectEmail])).toEqual([
      ["role_changed", fresh.accountant.email],
      ["invited", "klant@bedrijf.test"],
      ["invited", "collega-4@kantoor.test"],
    ]);
    expect(first.events[0]).toMatchObject({
      actorKind: "operator",
      subjectName: "Chris Dubois",
      role: "admin",
      previousRole: "accountant",
    });
    expect(first.events[1]).toMatchObject({
      actorKind: "person",
      actorLabel: "An Peeters",
      actorUserId: fresh.admin.userId,
      dossierId: dossier.id,
      dossierName: dossier.name,
    });
    expect(first.nextCursor).toBe(first.events[2]?.id);

    const second = await listMemberHistory(opened.db, fresh.admin, fresh.portal.id, {
      limit: 3,
      before: first.nextCursor ?? undefined,
    });
    expect(second.events.map((event) => event.subjectEmail)).toEqual([
      "collega-3@kantoor.test",
      "collega-2@kantoor.test",
      "collega-1@kantoor.test",
    ]);
    const last = await listMemberHistory(opened.db, fresh.admin, fresh.portal.id, {
      limit: 3,
      before: second.nextCursor ?? undefined,
    });
    expect(last).toEqual({
      events: [expect.objectContaining({ subjectEmail: "collega-0@kantoor.test" })],
      nextCursor: null,
    });
  });

  it("shows the last 50 by default, and ignores a cursor that is not a number", async () => {
    const fresh = await createOffice(opened.db, "Kantoor Vijftig");
    await opened.db.insert(memberEvents).values(
      Array.from({ length: 51 }, (_, index) => ({
        portalId: fresh.portal.id,
        action: "invited" as const,
        actorLabel: "An Peeters",
        subjectEmail: `p${index}@kantoor.test`,
      })),
    );
    const page = await listMemberHistory(opened.db, fresh.admin, fresh.portal.id, { before: "abc" as never });
    expect(page.events).toHaveLength(50);
    expect(page.events[0]?.subjectEmail).toBe("p50@kantoor.test");
    expect(page.nextCursor).toBe(page.events[49]?.id);
  });
});
