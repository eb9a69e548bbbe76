import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { listActorDossiers } from "@/lib/dossiers/list-for-actor";
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
