import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, dossiers, portalMembers, portals, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { can } from "@/lib/auth/authorize";
import { DEMO_USERS } from "@/lib/auth/demo-users";
import { loadUserActor } from "@/lib/auth/load-actor";
import { createTestDb } from "../../../helpers/db";

let opened: OpenedDb;
const ids = {
  demoPortal: "",
  otherPortal: "",
  userByRole: {} as Record<string, string>,
  dossierByName: {} as Record<string, string>,
};

beforeAll(async () => {
  opened = await createTestDb();
  const { db } = opened;
  await seedDemo(db);
  for (const portal of await db.select().from(portals)) {
    if (portal.name === "Accountantskantoor De Vos") ids.demoPortal = portal.id;
    else ids.otherPortal = portal.id;
  }
  for (const user of await db.select().from(users)) {
    const demo = DEMO_USERS.find((candidate) => candidate.email === user.email);
    if (demo) ids.userByRole[demo.email.endsWith("ander.koppel.example") ? "otherAdmin" : demo.role] = user.id;
  }
  for (const dossier of await db.select().from(dossiers)) ids.dossierByName[dossier.name] = dossier.id;
});
afterAll(async () => {
  await opened?.close();
});

const userId = (role: string) => ids.userByRole[role] ?? "";

describe("loadUserActor on the demo data", () => {
  it("makes An the admin of the demo office, and nothing else", async () => {
    expect(await loadUserActor(opened.db, userId("admin"))).toEqual({
      kind: "user",
      userId: userId("admin"),
      portalRoles: { [ids.demoPortal]: "admin" },
      dossiers: {},
    });
  });

  it("makes Bram an accountant of the demo office", async () => {
    expect(await loadUserActor(opened.db, userId("accountant"))).toEqual({
      kind: "user",
      userId: userId("accountant"),
      portalRoles: { [ids.demoPortal]: "accountant" },
      dossiers: {},
    });
  });

  it("gives Eva her two dossiers in the demo office and no portal role", async () => {
    expect(await loadUserActor(opened.db, userId("entrepreneur"))).toEqual({
      kind: "user",
      userId: userId("entrepreneur"),
      portalRoles: {},
      dossiers: {
        [ids.dossierByName["Bakkerij Wouters BV"] ?? "?"]: ids.demoPortal,
        [ids.dossierByName["Studio Lemaire SRL"] ?? "?"]: ids.demoPortal,
      },
    });
  });

  it("makes Olivier the admin of the other office only", async () => {
    expect(await loadUserActor(opened.db, userId("otherAdmin"))).toEqual({
      kind: "user",
      userId: userId("otherAdmin"),
      portalRoles: { [ids.otherPortal]: "admin" },
      dossiers: {},
    });
  });

  it("gives an unknown user nothing", async () => {
    const unknown = randomUUID();
    expect(await loadUserActor(opened.db, unknown)).toEqual({
      kind: "user",
      userId: unknown,
      portalRoles: {},
      dossiers: {},
    });
  });

  it("works inside a transaction", async () => {
    const actor = await opened.db.transaction((tx) => loadUserActor(tx, userId("admin")));
    expect(actor).toMatchObject({ portalRoles: { [ids.demoPortal]: "admin" } });
  });

  it("feeds authorize: Eva sees her dossier, not a colleague's, and Olivier sees nothing of the demo office", async () => {
    const eva = await loadUserActor(opened.db, userId("entrepreneur"));
    const olivier = await loadUserActor(opened.db, userId("otherAdmin"));
    const own = { portalId: ids.demoPortal, dossierId: ids.dossierByName["Bakkerij Wouters BV"] };
    const colleague = { portalId: ids.demoPortal, dossierId: ids.dossierByName["Garage Peeters BV"] };
    expect(can(eva, "document.send", own)).toBe(true);
    expect(can(eva, "document.send", colleague)).toBe(false);
    expect(can(eva, "connection.view", { portalId: ids.demoPortal })).toBe(false);
    expect(can(olivier, "document.view", own)).toBe(false);
    expect(can(olivier, "portal.view", { portalId: ids.demoPortal })).toBe(false);
  });

  it("reflects a removed membership at once", async () => {
    const { db } = opened;
    const dossierId = ids.dossierByName["Studio Lemaire SRL"] ?? "";
    await db
      .delete(dossierMembers)
      .where(and(eq(dossierMembers.userId, userId("entrepreneur")), eq(dossierMembers.dossierId, dossierId)));
    await db
      .delete(portalMembers)
      .where(and(eq(portalMembers.userId, userId("accountant")), eq(portalMembers.portalId, ids.demoPortal)));
    const eva = await loadUserActor(db, userId("entrepreneur"));
    expect(Object.keys(eva.kind === "user" ? eva.dossiers : {})).toEqual([ids.dossierByName["Bakkerij Wouters BV"]]);
    expect(await loadUserActor(db, userId("accountant"))).toMatchObject({ portalRoles: {} });
  });
});
