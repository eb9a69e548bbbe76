import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dossiers } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { updateDossierSchema } from "@/lib/dossiers/schemas";
import { updateDossier } from "@/lib/dossiers/update";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => opened?.close());

const change = (input: unknown) => updateDossierSchema.parse(input);

async function rowOf(id: string) {
  const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, id));
  return row;
}

describe("updateDossier", () => {
  it("lets admins and accountants change name and numbers", async () => {
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      const dossier = await insertDossier(opened.db, world.portal.id);
      const updated = await updateDossier(opened.db, actor, dossier.id, change({ name: "Bakkerij Peeters" }));
      expect(updated).toMatchObject({ id: dossier.id, name: "Bakkerij Peeters", companyNumber: dossier.companyNumber });
    }
  });

  it("lets the entrepreneur switch auto-send on their dossier, but not rename it (403)", async () => {
    const updated = await updateDossier(
      opened.db,
      world.actors.entrepreneur,
      world.dossier.id,
      change({ isAutoSendEnabled: false }),
    );
    expect(updated.isAutoSendEnabled).toBe(false);
    await expect(
      updateDossier(opened.db, world.actors.entrepreneur, world.dossier.id, change({ name: "Mijn bedrijf" })),
    ).rejects.toBeInstanceOf(ForbiddenError);
    // Both at once: refused as a whole, the switch included.
    await expect(
      updateDossier(
        opened.db,
        world.actors.entrepreneur,
        world.dossier.id,
        change({ name: "Mijn bedrijf", isAutoSendEnabled: true }),
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await rowOf(world.dossier.id)).toMatchObject({ name: world.dossier.name, isAutoSendEnabled: false });
  });

  it("lets admins and accountants change the dossier's language, but not the entrepreneur (403)", async () => {
    for (const [actor, locale] of [
      [world.actors.admin, "fr"],
      [world.actors.accountant, "en"],
    ] as const) {
      const dossier = await insertDossier(opened.db, world.portal.id);
      expect((await rowOf(dossier.id))?.locale).toBe("nl");
      const updated = await updateDossier(opened.db, actor, dossier.id, change({ locale }));
      expect(updated).toMatchObject({ id: dossier.id, locale, name: dossier.name });
      expect((await rowOf(dossier.id))?.locale).toBe(locale);
    }
    await expect(
      updateDossier(opened.db, world.actors.entrepreneur, world.dossier.id, change({ locale: "fr" })),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await rowOf(world.dossier.id))?.locale).toBe("nl");
  });

  it("answers NotFoundError to another office's admin, an unknown id and a malformed one", async () => {
    for (const [actor, id] of [
      [world.actors.otherAdmin, world.dossier.id],
      [world.actors.admin, "00000000-0000-4000-8000-000000000000"],
      [world.actors.admin, "nope"],
    ] as const) {
      await expect(updateDossier(opened.db, actor, id, change({ name: "X" }))).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(await rowOf(world.dossier.id)).toMatchObject({ name: world.dossier.name });
  });

  it("refuses a company number another dossier of the office has, changing nothing", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const error = await updateDossier(
      opened.db,
      world.actors.admin,
      dossier.id,
      change({ name: "Dubbel", companyNumber: world.dossier.companyNumber, isAutoSendEnabled: false }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual({ companyNumber: ["companyNumber.duplicate"] });
    expect(await rowOf(dossier.id)).toMatchObject({ name: dossier.name, isAutoSendEnabled: true });
  });

  it("keeps the dossier's own company number when it is sent unchanged", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const updated = await updateDossier(
      opened.db,
      world.actors.admin,
      dossier.id,
      change({ companyNumber: dossier.companyNumber }),
    );
    expect(updated.companyNumber).toBe(dossier.companyNumber);
  });

  it("lets the system actor change a dossier", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const updated = await updateDossier(
      opened.db,
      systemActor("test"),
      dossier.id,
      change({ name: "Door het systeem" }),
    );
    expect(updated.name).toBe("Door het systeem");
  });
});

describe("updateDossierSchema", () => {
  it("refuses an empty change and normalises the numbers", () => {
    expect(updateDossierSchema.safeParse({}).success).toBe(false);
    expect(change({ companyNumber: "0403.170.701", vatNumber: "be 0403 170 701" })).toEqual({
      companyNumber: "0403170701",
      vatNumber: "BE0403170701",
    });
    expect(change({ vatNumber: "" })).toEqual({ vatNumber: null });
    expect(change({ vatNumber: null })).toEqual({ vatNumber: null });
    expect(updateDossierSchema.safeParse({ vatNumber: "NL123456789B01" }).success).toBe(false);
  });

  it("takes nl, fr and en as the language and names the field for anything else", () => {
    expect(change({ locale: "fr" })).toEqual({ locale: "fr" });
    for (const locale of ["de", "FR", "", 1]) {
      const parsed = updateDossierSchema.safeParse({ locale });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues).toMatchObject([{ path: ["locale"], message: "dossierLocale.invalid" }]);
    }
  });
});
