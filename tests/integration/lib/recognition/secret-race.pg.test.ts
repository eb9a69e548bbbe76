import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { recognitionSecrets, users } from "@/db/schema";
import {
  getRecognitionWebhookSettings,
  revealRecognitionSecret,
  rotateRecognitionSecret,
} from "@/lib/recognition/secret";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../documents/setup";

// Races between connections need real PostgreSQL: PGlite runs one transaction at a time. This file
// runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  world = await createWorld(opened.db);
  await opened.db.insert(users).values({ id: world.actors.admin.userId, email: "admin@de-vos.test" });
});
afterAll(async () => {
  await opened?.close();
});

async function currentSecrets() {
  const rows = await opened.db
    .select({ id: recognitionSecrets.id, retiresAt: recognitionSecrets.retiresAt })
    .from(recognitionSecrets)
    .where(eq(recognitionSecrets.portalId, world.portal.id));
  return { all: rows, current: rows.filter((row) => row.retiresAt === null) };
}

describe("an office's recognition secret under concurrency (real PostgreSQL)", () => {
  it("is made once when several admins open the page for the first time at once", async () => {
    const { db } = opened;
    const views = await Promise.all([
      ...Array.from({ length: 8 }, () => getRecognitionWebhookSettings(db, world.actors.admin, world.portal.id)),
      ...Array.from({ length: 4 }, () => revealRecognitionSecret(db, world.actors.admin, world.portal.id)),
    ]);
    const { all } = await currentSecrets();
    expect(all).toHaveLength(1);
    const pages = views.filter((view) => "current" in view);
    expect(new Set(pages.map((view) => view.current.id))).toEqual(new Set([all[0]?.id]));
    const revealed = views.filter((view) => "secret" in view);
    expect(new Set(revealed.map((view) => view.secret)).size).toBe(1);
  });

  it("keeps exactly one current secret when admins rotate at the same time", async () => {
    const { db } = opened;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => rotateRecognitionSecret(db, world.actors.admin, world.portal.id)),
    );
    // Serialised, not refused: every rotation went through, one after the other.
    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 6 }, () => "fulfilled"));
    const { all, current } = await currentSecrets();
    expect(current).toHaveLength(1);
    expect(all).toHaveLength(7);
  });

  it("refuses a second current secret in the database itself (recognition_secrets_current_uq)", async () => {
    const { db } = opened;
    await expect(
      db.insert(recognitionSecrets).values({ portalId: world.portal.id, secretEncrypted: "v1.x.y.z" }),
    ).rejects.toThrow();
    expect((await currentSecrets()).current).toHaveLength(1);
  });
});
