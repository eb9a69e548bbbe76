import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { getDossierOverview } from "@/lib/dossiers/get";
import { NotFoundError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../documents/setup";

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

describe("getDossierOverview: the links of the dossier's header", () => {
  it("gives the office's admin and accountant the way back to the portal, both tabs and the edit", async () => {
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      expect(await getDossierOverview(opened.db, actor, world.dossier.id)).toMatchObject({
        canViewPortal: true,
        canManageClients: true,
        canViewDocuments: true,
        canViewIntegration: true,
        canUpdate: true,
        locale: "nl",
      });
    }
  });

  it("gives the dossier's entrepreneur both tabs, no way into the portal and no edit", async () => {
    expect(await getDossierOverview(opened.db, world.actors.entrepreneur, world.dossier.id)).toMatchObject({
      canViewPortal: false,
      canManageClients: false,
      canViewDocuments: true,
      canViewIntegration: true,
      canUpdate: false,
      locale: "nl",
    });
  });

  it("does not know the dossier for another office or the entrepreneur of a neighbouring dossier", async () => {
    await expect(getDossierOverview(opened.db, world.actors.otherAdmin, world.dossier.id)).rejects.toThrow(
      NotFoundError,
    );
    await expect(getDossierOverview(opened.db, world.actors.entrepreneur, world.neighbourDossier.id)).rejects.toThrow(
      NotFoundError,
    );
  });
});
