import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { recognitionSecrets, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { decryptSecrets } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import {
  getRecognitionWebhookSettings,
  installationRecognitionSecret,
  liveRecognitionSecrets,
  recognitionSecretContext,
  revealRecognitionSecret,
  rotateRecognitionSecret,
} from "@/lib/recognition/secret";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { createWorld, type World } from "../documents/setup";

const HOUR = 60 * 60 * 1000;
const ENV_KEYS = ["RECOGNITION_WEBHOOK_SECRET", "DATABASE_URL", "KOPPEL_DATA_DIR"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-recognition-secret-"));

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  delete process.env.RECOGNITION_WEBHOOK_SECRET;
  delete process.env.DATABASE_URL;
  process.env.KOPPEL_DATA_DIR = dataDir;
  resetEnvCache();
  opened = await createTestDb();
  world = await createWorld(opened.db);
  // The admins are real people: a secret records who made it.
  await opened.db.insert(users).values([
    { id: world.actors.admin.userId, email: "admin@de-vos.test" },
    { id: world.actors.otherAdmin.userId, email: "admin@ander-kantoor.test" },
  ]);
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  rmSync(dataDir, { recursive: true, force: true });
  await opened?.close();
});

async function secretRows(portalId: string) {
  return opened.db
    .select()
    .from(recognitionSecrets)
    .where(eq(recognitionSecrets.portalId, portalId))
    .orderBy(recognitionSecrets.createdAt);
}

describe("an office's recognition secret", () => {
  it("is made when an admin first opens the page, once, and stored encrypted", async () => {
    const { db } = opened;
    expect(await secretRows(world.portal.id)).toEqual([]);
    const first = await getRecognitionWebhookSettings(db, world.actors.admin, world.portal.id);
    expect(first).toMatchObject({
      path: `/api/webhooks/recognition/${world.portal.id}`,
      current: { id: expect.any(String), createdAt: expect.any(Date) },
      previousValidUntil: null,
    });
    // The page's view carries no secret at all.
    expect(JSON.stringify(first)).not.toMatch(/secret/i);
    const again = await getRecognitionWebhookSettings(db, world.actors.admin, world.portal.id);
    expect(again.current.id).toBe(first.current.id);

    const { secret } = await revealRecognitionSecret(db, world.actors.admin, world.portal.id);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await secretRows(world.portal.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: first.current.id,
      retiresAt: null,
      createdByUserId: world.actors.admin.userId,
    });
    expect(rows[0]?.secretEncrypted).not.toContain(secret);
    expect(decryptSecrets(rows[0]?.secretEncrypted ?? "", recognitionSecretContext(first.current.id))).toEqual({
      secret,
    });
    // Bound to its row: the same blob under another id does not open.
    expect(() =>
      decryptSecrets(rows[0]?.secretEncrypted ?? "", recognitionSecretContext(world.otherPortal.id)),
    ).toThrow();
  });

  it("differs per office, and each office's admin only ever gets their own", async () => {
    const { db } = opened;
    const own = await revealRecognitionSecret(db, world.actors.admin, world.portal.id);
    const other = await revealRecognitionSecret(db, world.actors.otherAdmin, world.otherPortal.id);
    expect(other.secret).not.toBe(own.secret);
    await expect(revealRecognitionSecret(db, world.actors.admin, world.otherPortal.id)).rejects.toThrow(NotFoundError);
    await expect(revealRecognitionSecret(db, world.actors.otherAdmin, world.portal.id)).rejects.toThrow(NotFoundError);
    expect(await liveRecognitionSecrets(db, world.portal.id, new Date())).toEqual([own.secret]);
    expect(await liveRecognitionSecrets(db, world.otherPortal.id, new Date())).toEqual([other.secret]);
  });

  it("verifies nothing for an id that names no office", async () => {
    expect(await liveRecognitionSecrets(opened.db, "7d5e8d52-3a7c-4a51-9a5e-0f3b2a1c9d10", new Date())).toEqual([]);
    expect(await liveRecognitionSecrets(opened.db, "../../etc", new Date())).toEqual([]);
  });
});

describe("rotating an office's recognition secret", () => {
  it("makes a new current secret; the old one verifies for 24 hours, then not, and is then cleaned up", async () => {
    const { db } = opened;
    const portalId = world.portal.id;
    const old = await revealRecognitionSecret(db, world.actors.admin, portalId);
    const t0 = new Date("2030-01-01T10:00:00Z");

    const rotated = await rotateRecognitionSecret(db, world.actors.admin, portalId, { now: t0 });
    expect(rotated.current.createdAt).toEqual(t0);
    expect(rotated.previousValidUntil).toEqual(new Date(t0.getTime() + 24 * HOUR));
    const fresh = await revealRecognitionSecret(db, world.actors.admin, portalId);
    expect(fresh.secret).not.toBe(old.secret);
    expect((await secretRows(portalId)).filter((row) => row.retiresAt === null)).toHaveLength(1);

    const live = (hours: number) => liveRecognitionSecrets(db, portalId, new Date(t0.getTime() + hours * HOUR));
    expect((await live(23)).sort()).toEqual([old.secret, fresh.secret].sort());
    expect(await live(24)).toEqual([fresh.secret]);
    expect(await live(25)).toEqual([fresh.secret]);

    // The page says until when the previous one still works, and stops saying it once it does not.
    const during = await getRecognitionWebhookSettings(db, world.actors.admin, portalId, {
      now: new Date(t0.getTime() + HOUR),
    });
    expect(during).toMatchObject({
      current: { id: rotated.current.id },
      previousValidUntil: rotated.previousValidUntil,
    });
    const after = await getRecognitionWebhookSettings(db, world.actors.admin, portalId, {
      now: new Date(t0.getTime() + 25 * HOUR),
    });
    expect(after.previousValidUntil).toBeNull();

    // A second rotation two days later deletes the expired one, and retires the current.
    const t2 = new Date(t0.getTime() + 48 * HOUR);
    const second = await rotateRecognitionSecret(db, world.actors.admin, portalId, { now: t2 });
    const rows = await secretRows(portalId);
    expect(rows.map((row) => row.id).sort()).toEqual([rotated.current.id, second.current.id].sort());
    expect(rows.find((row) => row.id === rotated.current.id)?.retiresAt).toEqual(new Date(t2.getTime() + 24 * HOUR));
    expect(rows.find((row) => row.id === second.current.id)?.retiresAt).toBeNull();
  });

  it("keeps every secret of a quick second rotation verifying until its own end", async () => {
    const { db } = opened;
    const portalId = world.otherPortal.id;
    const first = await revealRecognitionSecret(db, world.actors.otherAdmin, portalId);
    const t0 = new Date("2031-06-01T08:00:00Z");
    await rotateRecognitionSecret(db, world.actors.otherAdmin, portalId, { now: t0 });
    const second = await revealRecognitionSecret(db, world.actors.otherAdmin, portalId);
    const t1 = new Date(t0.getTime() + 2 * HOUR);
    const again = await rotateRecognitionSecret(db, world.actors.otherAdmin, portalId, { now: t1 });
    const third = await revealRecognitionSecret(db, world.actors.otherAdmin, portalId);
    expect(again.previousValidUntil).toEqual(new Date(t1.getTime() + 24 * HOUR));

    const at = (hours: number) => liveRecognitionSecrets(db, portalId, new Date(t0.getTime() + hours * HOUR));
    expect((await at(3)).sort()).toEqual([first.secret, second.secret, third.secret].sort());
    expect((await at(25)).sort()).toEqual([second.secret, third.secret].sort());
    expect(await at(27)).toEqual([third.secret]);
  });
});

describe("who may see and rotate an office's recognition secret", () => {
  /** Everyone who must be refused on `portalId`, for a fresh office. */
  function outsidersOf(portalId: string, dossierId: string) {
    return {
      accountant: { kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "accountant" }, dossiers: {} },
      adminKey: { kind: "token", tokenId: randomUUID(), portalId, role: "admin", scopes: API_SCOPES },
      entrepreneur: { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossierId]: portalId } },
      otherAdmin: world.actors.otherAdmin,
      otherKey: world.actors.otherToken,
    } satisfies Record<string, Actor>;
  }

  it.each([
    ["the office's accountant", "accountant", ForbiddenError],
    ["an API key of the office, even an admin key with every scope", "adminKey", ForbiddenError],
    ["an entrepreneur of one of its dossiers", "entrepreneur", NotFoundError],
    ["another office's admin", "otherAdmin", NotFoundError],
    ["another office's API key", "otherKey", NotFoundError],
  ] as const)("refuses %s, and makes nothing", async (_name, who, error) => {
    const { db } = opened;
    const portal = await insertPortal(db, "Kantoor zonder sleutel");
    const dossier = await insertDossier(db, portal.id);
    const actor = outsidersOf(portal.id, dossier.id)[who];
    await expect(getRecognitionWebhookSettings(db, actor, portal.id)).rejects.toThrow(error);
    await expect(revealRecognitionSecret(db, actor, portal.id)).rejects.toThrow(error);
    await expect(rotateRecognitionSecret(db, actor, portal.id)).rejects.toThrow(error);
    expect(await secretRows(portal.id)).toEqual([]);
  });

  it("refuses them on an office that has a secret, and leaves it as it was", async () => {
    const { db } = opened;
    await revealRecognitionSecret(db, world.actors.admin, world.portal.id);
    const before = await secretRows(world.portal.id);
    const outsiders = outsidersOf(world.portal.id, world.dossier.id);
    for (const actor of [outsiders.accountant, outsiders.adminKey]) {
      await expect(getRecognitionWebhookSettings(db, actor, world.portal.id)).rejects.toThrow(ForbiddenError);
      await expect(revealRecognitionSecret(db, actor, world.portal.id)).rejects.toThrow(ForbiddenError);
      await expect(rotateRecognitionSecret(db, actor, world.portal.id)).rejects.toThrow(ForbiddenError);
    }
    for (const actor of [outsiders.entrepreneur, outsiders.otherAdmin, outsiders.otherKey]) {
      await expect(getRecognitionWebhookSettings(db, actor, world.portal.id)).rejects.toThrow(NotFoundError);
      await expect(revealRecognitionSecret(db, actor, world.portal.id)).rejects.toThrow(NotFoundError);
      await expect(rotateRecognitionSecret(db, actor, world.portal.id)).rejects.toThrow(NotFoundError);
    }
    expect(await secretRows(world.portal.id)).toEqual(before);
  });
});

describe("the installation-wide key", () => {
  it("is RECOGNITION_WEBHOOK_SECRET, and nothing when that is unset, also on the embedded default", () => {
    process.env.RECOGNITION_WEBHOOK_SECRET = "set-by-the-operator-0123456789-abcdefghij";
    resetEnvCache();
    expect(installationRecognitionSecret()).toBe("set-by-the-operator-0123456789-abcdefghij");

    delete process.env.RECOGNITION_WEBHOOK_SECRET;
    resetEnvCache();
    expect(installationRecognitionSecret()).toBeNull();
    // No secret is generated into the data folder any more (it used to be shown to every office).
    expect(existsSync(path.join(dataDir, "secrets", "recognition_webhook_secret"))).toBe(false);
  });

  it("refuses a RECOGNITION_WEBHOOK_SECRET shorter than 32 characters", () => {
    process.env.RECOGNITION_WEBHOOK_SECRET = "too-short";
    resetEnvCache();
    try {
      expect(() => installationRecognitionSecret()).toThrow(/RECOGNITION_WEBHOOK_SECRET/);
    } finally {
      delete process.env.RECOGNITION_WEBHOOK_SECRET;
      resetEnvCache();
    }
  });
});
