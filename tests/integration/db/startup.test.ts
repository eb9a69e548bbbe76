import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documents, dossiers, portalMembers, portals, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { prepareDatabaseOnStart } from "@/db/startup";
import { DEMO_USERS } from "@/lib/auth/demo-users";
import { resetKeyringCache } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { createTestDb } from "../../helpers/db";
import { insertPortal } from "../../helpers/fixtures";
import { useTestEncryptionKey } from "../lib/connections/helpers";

const DEMO_PORTAL = { name: "Accountantskantoor De Vos", companyNumber: "0412345614" };
const OTHER_PORTAL = { name: "Fiduciaire Dubois", companyNumber: "0765432146" };

let opened: OpenedDb;
let filesRoot: string;

beforeAll(async () => {
  filesRoot = await mkdtemp(path.join(tmpdir(), "koppel-startup-files-"));
  setFileStore(new LocalDiskFileStore(filesRoot));
});
beforeEach(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  // prepareDatabaseOnStart opens the process-wide database: let it find this one.
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterEach(async () => {
  globalThis.__koppelDb = undefined;
  vi.unstubAllEnvs();
  resetEnvCache();
  resetKeyringCache();
  await opened?.close();
});
afterAll(async () => {
  setFileStore(undefined);
  if (filesRoot) await rm(filesRoot, { recursive: true, force: true });
});

/** A deployment with its own database and no APP_ENCRYPTION_KEY: encrypting a secret refuses. */
function withoutEncryptionKey() {
  vi.stubEnv("DATABASE_URL", "postgres://koppel@db.invalid/koppel");
  vi.stubEnv("APP_ENCRYPTION_KEY", undefined);
  resetEnvCache();
  resetKeyringCache();
}

async function countRows(table: typeof users | typeof portals | typeof dossiers | typeof documents) {
  const [row] = await opened.db.select({ count: sql<number>`count(*)::int` }).from(table);
  return row?.count ?? 0;
}

async function demoOfficeDossierCount() {
  const [row] = await opened.db
    .select({ count: sql<number>`count(${dossiers.id})::int` })
    .from(portals)
    .leftJoin(dossiers, eq(dossiers.portalId, portals.id))
    .where(eq(portals.companyNumber, DEMO_PORTAL.companyNumber));
  return row?.count ?? 0;
}

/** What the seed before this fix had written when the encryption key stopped it: users, offices, members. */
async function writeHalfSeedOfOlderVersion() {
  const { db } = opened;
  const rows = await db
    .insert(users)
    .values(DEMO_USERS.map((user) => ({ email: user.email, name: user.name })))
    .returning({ id: users.id, email: users.email });
  const [demo, other] = await db.insert(portals).values([DEMO_PORTAL, OTHER_PORTAL]).returning({ id: portals.id });
  if (!demo || !other) throw new Error("portals missing");
  const idOf = (index: number) => rows.find((row) => row.email === DEMO_USERS[index]?.email)?.id ?? "";
  await db.insert(portalMembers).values([
    { portalId: demo.id, userId: idOf(0), role: "admin" },
    { portalId: demo.id, userId: idOf(1), role: "accountant" },
    { portalId: other.id, userId: idOf(3), role: "admin" },
  ]);
}

describe("prepareDatabaseOnStart with the demo on", () => {
  it("seeds the whole demo into an empty database, and leaves it alone on the next start", async () => {
    await prepareDatabaseOnStart();
    expect(await demoOfficeDossierCount()).toBe(13);
    const documentCount = await countRows(documents);
    expect(documentCount).toBeGreaterThan(200);

    await prepareDatabaseOnStart();
    expect(await countRows(portals)).toBe(2);
    expect(await countRows(documents)).toBe(documentCount);
  });

  it("writes nothing when the seed is refused (no APP_ENCRYPTION_KEY), so the next start seeds the whole demo", async () => {
    withoutEncryptionKey();
    await expect(prepareDatabaseOnStart()).rejects.toThrow(/APP_ENCRYPTION_KEY/);
    expect(await countRows(users)).toBe(0);
    expect(await countRows(portals)).toBe(0);

    vi.unstubAllEnvs();
    useTestEncryptionKey();
    await prepareDatabaseOnStart();
    expect(await demoOfficeDossierCount()).toBe(13);
    expect(await countRows(users)).toBe(DEMO_USERS.length);
  });

  it("writes nothing when seedDemo itself is refused, also outside the start", async () => {
    withoutEncryptionKey();
    await expect(seedDemo(opened.db)).rejects.toThrow(/APP_ENCRYPTION_KEY/);
    expect(await countRows(users)).toBe(0);
    expect(await countRows(portals)).toBe(0);
  });

  it("seeds the demo again over an older version's half seed (users and offices, no dossiers)", async () => {
    await writeHalfSeedOfOlderVersion();
    await prepareDatabaseOnStart();
    expect(await demoOfficeDossierCount()).toBe(13);
    expect(await countRows(portals)).toBe(2);
    expect(await countRows(users)).toBe(DEMO_USERS.length);
  });

  it("seeds the demo again over an older version's seed that stopped at the files (dossiers, no documents)", async () => {
    await prepareDatabaseOnStart();
    const [demo] = await opened.db
      .select({ id: portals.id })
      .from(portals)
      .where(eq(portals.companyNumber, DEMO_PORTAL.companyNumber));
    await opened.db.delete(documents).where(eq(documents.portalId, demo?.id ?? ""));

    await prepareDatabaseOnStart();
    expect(await demoOfficeDossierCount()).toBe(13);
    expect(await countRows(portals)).toBe(2);
    expect(await countRows(documents)).toBeGreaterThan(200);
  });

  it("does not seed a database that holds other offices and no demo office", async () => {
    await insertPortal(opened.db, "Kantoor Janssens");
    await prepareDatabaseOnStart();
    expect(await countRows(portals)).toBe(1);
    expect(await countRows(users)).toBe(0);
  });
});
