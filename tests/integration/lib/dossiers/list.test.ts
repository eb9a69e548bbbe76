import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { listDossiers } from "@/lib/dossiers/list";
import { NotFoundError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../integrations/setup";

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => opened?.close());

describe("listDossiers", () => {
  it("lists the portal's dossiers to its admins and accountants", async () => {
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      const page = await listDossiers(opened.db, actor, { portalId: world.portal.id });
      expect(page.items.map((item) => item.id)).toEqual([world.dossier.id]);
      expect(page.nextCursor).toBeNull();
    }
  });

  it("answers NotFoundError to an entrepreneur, another office's admin and a malformed portal id", async () => {
    for (const [actor, portalId] of [
      [world.actors.entrepreneur, world.portal.id],
      [world.actors.otherAdmin, world.portal.id],
      [world.actors.admin, "nope"],
    ] as const) {
      await expect(listDossiers(opened.db, actor, { portalId })).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
