import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dossiers } from "@/db/schema";
import { setAutoSend } from "@/lib/dossiers/auto-send";
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

async function isAutoSendEnabled(dossierId: string) {
  const [row] = await opened.db
    .select({ isAutoSendEnabled: dossiers.isAutoSendEnabled })
    .from(dossiers)
    .where(eq(dossiers.id, dossierId));
  return row?.isAutoSendEnabled;
}

describe("setAutoSend", () => {
  it("is on by default for a new dossier", async () => {
    expect(await isAutoSendEnabled(world.dossier.id)).toBe(true);
  });

  it.each(["entrepreneur", "accountant", "admin", "token"] as const)(
    "lets the %s switch it off and on",
    async (who) => {
      const actor = world.actors[who];
      expect(await setAutoSend(opened.db, actor, world.dossier.id, false)).toEqual({
        dossierId: world.dossier.id,
        isAutoSendEnabled: false,
      });
      expect(await isAutoSendEnabled(world.dossier.id)).toBe(false);
      await setAutoSend(opened.db, actor, world.dossier.id, true);
      expect(await isAutoSendEnabled(world.dossier.id)).toBe(true);
    },
  );

  it("changes only the dossier it is asked for", async () => {
    await setAutoSend(opened.db, world.actors.accountant, world.dossier.id, false);
    expect(await isAutoSendEnabled(world.neighbourDossier.id)).toBe(true);
    await setAutoSend(opened.db, world.actors.accountant, world.dossier.id, true);
  });

  it("answers 404 to an entrepreneur for a dossier of her office that is not hers", async () => {
    await expect(setAutoSend(opened.db, world.actors.entrepreneur, world.neighbourDossier.id, false)).rejects.toThrow(
      NotFoundError,
    );
    expect(await isAutoSendEnabled(world.neighbourDossier.id)).toBe(true);
  });

  it("answers 404 to another office, its token, and for unknown or malformed ids", async () => {
    for (const actor of [world.actors.otherAdmin, world.actors.otherToken]) {
      await expect(setAutoSend(opened.db, actor, world.dossier.id, false)).rejects.toThrow(NotFoundError);
    }
    await expect(
      setAutoSend(opened.db, world.actors.admin, "00000000-0000-4000-8000-000000000000", false),
    ).rejects.toThrow(NotFoundError);
    await expect(setAutoSend(opened.db, world.actors.admin, "not-a-uuid", false)).rejects.toThrow(NotFoundError);
    expect(await isAutoSendEnabled(world.dossier.id)).toBe(true);
  });
});
