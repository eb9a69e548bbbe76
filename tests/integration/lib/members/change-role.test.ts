import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { authorize } from "@/lib/auth/authorize";
import { changeMemberRole } from "@/lib/members/change-role";
import { createTestDb } from "../../../helpers/db";
import { adminsOf, createOffice, eventsOf, personActor, roleOf } from "./setup";

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

describe("changeMemberRole", () => {
  it("makes an accountant admin and back, each change in the history with the role it replaced", async () => {
    const office = await createOffice(opened.db);
    const ref = { portalId: office.portal.id, userId: office.accountant.userId };
    expect(await changeMemberRole(opened.db, office.admin, { ...ref, role: "admin" })).toEqual({
      userId: office.accountant.userId,
      email: office.accountant.email,
      role: "admin",
      previousRole: "accountant",
      isChanged: true,
      isYou: false,
    });
    expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("admin");
    await changeMemberRole(opened.db, office.otherAdmin, { ...ref, role: "accountant" });
    expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("accountant");

    const events = await eventsOf(opened.db, office.portal.id);
    expect(
      events.map((event) => [event.action, event.actorLabel, event.subjectEmail, event.role, event.previousRole]),
    ).toEqual([
      ["role_changed", "An Peeters", office.accountant.email, "admin", "accountant"],
      ["role_changed", "Bart Claes", office.accountant.email, "accountant", "admin"],
    ]);
    expect(events[0]).toMatchObject({ actorUserId: office.admin.userId, subjectUserId: office.accountant.userId });
  });

  it("writes nothing when the member already has the role", async () => {
    const office = await createOffice(opened.db);
    const change = await changeMemberRole(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.accountant.userId,
      role: "accountant",
    });
    expect(change).toMatchObject({ isChanged: false, role: "accountant", previousRole: "accountant" });
    expect(await eventsOf(opened.db, office.portal.id)).toEqual([]);
  });

  it("takes effect on the member's next request: a lowered admin can no longer manage members", async () => {
    const office = await createOffice(opened.db);
    await changeMemberRole(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.otherAdmin.userId,
      role: "accountant",
    });
    const next = await personActor(opened.db, office.otherAdmin.userId);
    expect(next.portalRoles[office.portal.id]).toBe("accountant");
    expect(() => authorize(next, "member.manage", { portalId: office.portal.id })).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
  });

  it("lets an admin lower themselves while another admin remains", async () => {
    const office = await createOffice(opened.db);
    const change = await changeMemberRole(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.admin.userId,
      role: "accountant",
    });
    expect(change).toMatchObject({ isChanged: true, isYou: true });
    expect(await adminsOf(opened.db, office.portal.id)).toEqual([office.otherAdmin.userId]);
  });

  it("never lowers the office's last admin, not even by themselves, and writes nothing", async () => {
    const office = await createOffice(opened.db);
    await changeMemberRole(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.otherAdmin.userId,
      role: "accountant",
    });
    const before = await eventsOf(opened.db, office.portal.id);
    await expect(
      changeMemberRole(opened.db, office.admin, {
        portalId: office.portal.id,
        userId: office.admin.userId,
        role: "accountant",
      }),
    ).rejects.toMatchObject({ code: "conflict", messageKey: "members.lastAdmin", httpStatus: 409 });
    expect(await adminsOf(opened.db, office.portal.id)).toEqual([office.admin.userId]);
    expect(await eventsOf(opened.db, office.portal.id)).toEqual(before);
  });

  it("refuses an admin whose own role was lowered after their request began (a stale actor)", async () => {
    const office = await createOffice(opened.db);
    const staleOtherAdmin = office.otherAdmin;
    await changeMemberRole(opened.db, office.admin, {
      portalId: office.portal.id,
      userId: office.otherAdmin.userId,
      role: "accountant",
    });
    await expect(
      changeMemberRole(opened.db, staleOtherAdmin, {
        portalId: office.portal.id,
        userId: office.accountant.userId,
        role: "admin",
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("accountant");
  });

  it("refuses non-admins and other offices, and changes nothing", async () => {
    const office = await createOffice(opened.db);
    const other = await createOffice(opened.db, "Kantoor Janssens");
    const ref = { portalId: office.portal.id, userId: office.otherAdmin.userId, role: "accountant" } as const;
    await expect(changeMemberRole(opened.db, office.accountant, ref)).rejects.toMatchObject({ code: "forbidden" });
    await expect(changeMemberRole(opened.db, office.entrepreneur, ref)).rejects.toMatchObject({ code: "not_found" });
    await expect(changeMemberRole(opened.db, other.admin, ref)).rejects.toMatchObject({ code: "not_found" });
    // Another office's member named through one's own office: not found, never changed.
    await expect(changeMemberRole(opened.db, other.admin, { ...ref, portalId: other.portal.id })).rejects.toMatchObject(
      { code: "not_found" },
    );
    // An entrepreneur is no member of the office.
    await expect(
      changeMemberRole(opened.db, office.admin, { ...ref, userId: office.entrepreneur.userId, role: "admin" }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await roleOf(opened.db, office.portal.id, office.otherAdmin.userId)).toBe("admin");
    expect(await roleOf(opened.db, office.portal.id, office.entrepreneur.userId)).toBeNull();
    expect(await eventsOf(opened.db, office.portal.id)).toEqual([]);
  });

  it("answers a field error for an unknown role and not found for malformed ids", async () => {
    const office = await createOffice(opened.db);
    await expect(
      changeMemberRole(opened.db, office.admin, {
        portalId: office.portal.id,
        userId: office.accountant.userId,
        role: "owner" as never,
      }),
    ).rejects.toMatchObject({ code: "validation_failed", fieldErrors: { role: ["role.invalid"] } });
    await expect(
      changeMemberRole(opened.db, office.admin, { portalId: office.portal.id, userId: "x", role: "admin" }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("writes the change and its history row in one transaction: no history, no change", async () => {
    const office = await createOffice(opened.db);
    await opened.db.execute(sql`
      create function refuse_member_event() returns trigger language plpgsql as $$
      begin raise exception 'history refused'; end $$`);
    await opened.db.execute(sql`
      create trigger refuse_member_event before insert on member_events
      for each row execute function refuse_member_event()`);
    try {
      await expect(
        changeMemberRole(opened.db, office.admin, {
          portalId: office.portal.id,
          userId: office.accountant.userId,
          role: "admin",
        }),
      ).rejects.toThrow();
      expect(await roleOf(opened.db, office.portal.id, office.accountant.userId)).toBe("accountant");
    } finally {
      await opened.db.execute(sql`drop trigger refuse_member_event on member_events`);
      await opened.db.execute(sql`drop function refuse_member_event()`);
    }
  });
});
