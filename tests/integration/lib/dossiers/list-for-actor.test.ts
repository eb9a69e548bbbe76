import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { listActorDossiers, listUploadDossiers } from "@/lib/dossiers/list-for-actor";
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

describe("listActorDossiers (the header's switcher)", () => {
  it("lists the dossiers a person runs, in any office, by name", async () => {
    const person = {
      ...world.actors.entrepreneur,
      dossiers: { [world.dossier.id]: world.portal.id, [world.foreignDossier.id]: world.otherPortal.id },
    };
    const listed = await listActorDossiers(opened.db, person);
    expect(listed.map((dossier) => dossier.id).sort()).toEqual([world.dossier.id, world.foreignDossier.id].sort());
    expect(listed.map((dossier) => dossier.name)).toEqual(listed.map((dossier) => dossier.name).sort());
  });

  it("lists nothing for an office's members, tokens and the system: their dossiers are on the portal", async () => {
    for (const actor of [world.actors.admin, world.actors.accountant, world.actors.token, world.actors.system]) {
      expect(await listActorDossiers(opened.db, actor)).toEqual([]);
    }
  });
});

describe("listUploadDossiers (where a shared file may go)", () => {
  const idsOf = (dossiers: { id: string }[]) => dossiers.map((dossier) => dossier.id).sort();

  it("lists an entrepreneur's own dossiers, an office member's office dossiers, and both for someone who is both", async () => {
    expect(idsOf(await listUploadDossiers(opened.db, world.actors.entrepreneur))).toEqual([world.dossier.id]);
    const office = [world.dossier.id, world.neighbourDossier.id].sort();
    expect(idsOf(await listUploadDossiers(opened.db, world.actors.accountant))).toEqual(office);
    expect(idsOf(await listUploadDossiers(opened.db, world.actors.admin))).toEqual(office);
    const both = { ...world.actors.accountant, dossiers: { [world.foreignDossier.id]: world.otherPortal.id } };
    const listed = await listUploadDossiers(opened.db, both);
    expect(idsOf(listed)).toEqual([...office, world.foreignDossier.id].sort());
    expect(listed.find((dossier) => dossier.id === world.foreignDossier.id)?.portalName).toBe("Ander kantoor");
  });

  it("never lists another office's dossiers, nor a membership that names the wrong office", async () => {
    const misfiled = { ...world.actors.entrepreneur, dossiers: { [world.foreignDossier.id]: world.portal.id } };
    expect(await listUploadDossiers(opened.db, misfiled)).toEqual([]);
    expect(idsOf(await listUploadDossiers(opened.db, world.actors.otherAdmin))).toEqual([world.foreignDossier.id]);
    for (const actor of [world.actors.token, world.actors.system]) {
      expect(await listUploadDossiers(opened.db, actor)).toEqual([]);
    }
  });
});
