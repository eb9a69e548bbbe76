import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { listActorPortals } from "@/lib/portals/list-for-actor";
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

describe("listActorPortals (the header's switcher)", () => {
  it("lists the offices a person is admin or accountant of", async () => {
    const both = {
      ...world.actors.admin,
      portalRoles: { [world.portal.id]: "admin", [world.otherPortal.id]: "accountant" } as const,
    };
    expect(await listActorPortals(opened.db, both)).toEqual(
      [
        { id: world.portal.id, name: world.portal.name },
        { id: world.otherPortal.id, name: world.otherPortal.name },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it("lists no office for an entrepreneur, a token or the system", async () => {
    for (const actor of [world.actors.entrepreneur, world.actors.token, world.actors.system]) {
      expect(await listActorPortals(opened.db, actor)).toEqual([]);
    }
  });
});
