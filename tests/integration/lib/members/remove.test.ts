import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documents, users } from "@/db/schema";
import { removeMember } from "@/lib/members/remove";
import { getPortal } from "@/lib/portals/overview";
import { createTestDb } from "../../../helpers/db";
import { insertDocument } from "../../../helpers/fixtures";
import { adminsOf, createOffice, eventsOf, personActor, roleOf } from "./setup";

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

describe("removeMember", () => {
  it("removes only the membership: the account, their documents and the history stay", async () => {
    const office = await createOffice(opened.db);
    const document = await insertDocument(opened.db, office.dossier);

    expect(
      await removeMember(opened.db, office.admin, { portalId: office.portal.id, userId: office.accountant.userId }),
    ).toEqual({ userId: office.accountant.userId, email: office.accountant.email, role: "accountant", isYou: false });

    expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBeNull();
    const [user] = await opened.db.select({ id: users.id }).from(users).where(eq(users.id, office.accountant.userId));
    expect(user).toBeDefined();
    const [kept] = await opened.db.select().from(documents).where(eq(documents.id, document.id));
    expect(kept).toEqual(document);
    expect(
      (await eventsOf(opened.db, office.portal.id)).map((event) => [
        event.action,
        event.actorLabel,
        event.subjectEmail,
        event.subjectUserId,
        event.role,
      ]),
    ).toEqual([["removed", "An Peeters", office.accountant.email, office.accountant.userId, "accountant"]]);
  });

  it("takes effect on the person's next request: the office is then not found for them", async () => {
    const office = await createOffice(opened.db);
    await removeMember(opened.db, office.admin, { portalId: office.portal.id, userId: office.otherAdmin.userId });
    const next = await personActor(opened.db, office.otherAdmin.userId);
    expect(next.portalRoles).toEqual({});
    await expect(getPortal(opened.db, next, office.portal.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("lets an admin remove themselves while another admin remains", async () => {
    const office = await createOffice(opened.db);
    const removed = await removeMember(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.admin.userId,
    });
    expect(removed).toMatchObject({ role: "admin", isYou: true });
    expect(await adminsOf(opened.db, office.portal.id)).toEqual([office.otherAdmin.userId]);
  });

  it("never removes the office's last admin, and writes nothing", async () => {
    const office = await createOffice(opened.db);
    await removeMember(opened.db, office.admin, { portalId: office.portal.id, userId: office.otherAdmin.userId });
    const before = await eventsOf(opened.db, office.portal.id);
    await expect(
      removeMember(opened.db, office.admin, { portalId: office.portal.id, userId: office.admin.userId }),
    ).rejects.toMatchObject({ code: "conflict", messageKey: "members.lastAdmin" });
    expect(await adminsOf(opened.db, office.portal.id)).toEqual([office.admin.userId]);
    expect(await eventsOf(opened.db, office.portal.id)).toEqual(before);
  });

  it("refuses non-admins and other offices, and removes nobody", async () => {
    const office = await createOffice(opened.db);
    const other = await createOffice(opened.db, "Kantoor Janssens");
    const ref = { portalId: office.portal.id, userId: office.accountant.userId };
    await expect(removeMember(opened.db, office.accountant, ref)).rejects.toMatchObject({ code: "forbidden" });
    await expect(removeMember(opened.db, office.entrepreneur, ref)).rejects.toMatchObject({ code: "not_found" });
    await expect(removeMember(opened.db, other.admin, ref)).rejects.toMatchObject({ code: "not_found" });
    await expect(removeMember(opened.db, other.admin, { ...ref, portalId: other.portal.id })).rejects.toMatchObject({
      code: "not_found",
    });
    // An entrepreneur's access is the dossier's business, not a membership of the office.
    await expect(
      removeMember(opened.db, office.admin, { ...ref, userId: office.entrepreneur.userId }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("accountant");
    expect((await personActor(opened.db, office.entrepreneur.userId)).dossiers).toEqual({
      [office.dossier.id]: office.portal.id,
    });
    expect(await eventsOf(opened.db, office.portal.id)).toEqual([]);
  });

  it("removes and writes its history row in one transaction: no history, no removal", async () => {
    const office = await createOffice(opened.db);
    await opened.db.execute(sql`
      create function refuse_member_event() returns trigger language plpgsql as $$
      begin raise exception 'history refused'; end $$`);
    await opened.db.execute(sql`
      create trigger refuse_member_event before insert on member_events
      for each row execute function refuse_member_event()`);
    try {
      await expect(
        removeMember(opened.db, office.admin, { portalId: office.portal.id, userId: office.accountant.userId }),
      ).rejects.toThrow();
      expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("accountant");
    } finally {
      await opened.db.execute(sql`drop trigger refuse_member_event on member_events`);
      await opened.db.execute(sql`drop function refuse_member_event()`);
    }
  });
});
