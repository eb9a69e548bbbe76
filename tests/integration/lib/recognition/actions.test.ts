import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, portalMembers, recognitionSecrets, users } from "@/db/schema";
import { decryptSecrets } from "@/lib/crypto/secrets";
import { recognitionSecretContext } from "@/lib/recognition/secret";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The webhook page's "Show" and "Rotate secret" buttons, run for real down from the session: who
// is signed in (Auth.js's auth(), which needs Next's server runtime) and the database handle are
// the only stand-ins, so the actor is built from the membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
const revalidated = vi.hoisted(() => [] as string[]);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn((path: string) => revalidated.push(path)) }));

const { revealRecognitionSecretAction, rotateRecognitionSecretAction } = await import(
  "@/app/(app)/portals/[portalId]/settings/webhook/actions"
);

let opened: OpenedDb;
let portalId = "";
let otherPortalId = "";
const people = { admin: "", accountant: "", entrepreneur: "", otherAdmin: "" };

async function insertUser(): Promise<string> {
  const [user] = await opened.db
    .insert(users)
    .values({ email: `${randomUUID()}@office.test` })
    .returning({ id: users.id });
  if (!user) throw new Error("no user");
  return user.id;
}

/** The office's stored secrets, in clear, current one last. */
async function secretsOf(id: string) {
  const rows = await opened.db
    .select()
    .from(recognitionSecrets)
    .where(eq(recognitionSecrets.portalId, id))
    .orderBy(recognitionSecrets.createdAt);
  return rows.map((row) => ({
    secret: (decryptSecrets(row.secretEncrypted, recognitionSecretContext(row.id)) as { secret: string }).secret,
    retiresAt: row.retiresAt,
  }));
}

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  const dossier = await insertDossier(opened.db, portalId);
  people.admin = await insertUser();
  people.accountant = await insertUser();
  people.entrepreneur = await insertUser();
  people.otherAdmin = await insertUser();
  await opened.db.insert(portalMembers).values([
    { portalId, userId: people.admin, role: "admin" },
    { portalId, userId: people.accountant, role: "accountant" },
    { portalId: otherPortalId, userId: people.otherAdmin, role: "admin" },
  ]);
  await opened.db.insert(dossierMembers).values({ portalId, dossierId: dossier.id, userId: people.entrepreneur });
});
beforeEach(() => {
  session.userId = people.admin;
  revalidated.length = 0;
});
afterAll(async () => {
  await opened?.close();
});

async function redirectOf(promise: Promise<unknown>): Promise<string> {
  const refused = await promise.then(
    () => {
      throw new Error("expected a redirect");
    },
    (error: unknown) => error as { digest?: string },
  );
  // next/navigation's redirect: "NEXT_REDIRECT;<type>;<url>;<status>;".
  return String(refused.digest).split(";")[2] ?? "";
}

describe("revealRecognitionSecretAction", () => {
  it("gives an admin the office's own secret, the same each time", async () => {
    const first = await revealRecognitionSecretAction(portalId);
    expect(first).toEqual({ ok: true, secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(await revealRecognitionSecretAction(portalId)).toEqual(first);
    expect((await secretsOf(portalId)).map((row) => row.secret)).toEqual([first.ok ? first.secret : ""]);
  });

  it("gives another office's admin their own office's secret, never this one", async () => {
    const own = await revealRecognitionSecretAction(portalId);
    session.userId = people.otherAdmin;
    const other = await revealRecognitionSecretAction(otherPortalId);
    expect(other).toMatchObject({ ok: true });
    expect(other).not.toEqual(own);
  });

  it("sends a visitor without a session to sign in", async () => {
    session.userId = null;
    expect(await redirectOf(revealRecognitionSecretAction(portalId))).toBe("/sign-in");
  });

  it("refuses the office's accountant", async () => {
    session.userId = people.accountant;
    expect(await revealRecognitionSecretAction(portalId)).toEqual({
      ok: false,
      error: { code: "forbidden", messageKey: "forbidden" },
    });
  });

  it("answers not found to an entrepreneur of the office's dossier and to another office's admin", async () => {
    for (const userId of [people.entrepreneur, people.otherAdmin]) {
      session.userId = userId;
      expect(await revealRecognitionSecretAction(portalId)).toEqual({
        ok: false,
        error: { code: "not_found", messageKey: "notFound" },
      });
    }
  });

  it("refuses a portal id that is not a uuid", async () => {
    expect(await revealRecognitionSecretAction("../../etc")).toMatchObject({
      ok: false,
      error: { code: "validation_failed" },
    });
  });
});

describe("rotateRecognitionSecretAction", () => {
  it("makes a new secret for an admin, keeps the old one 24 hours, and refreshes the page", async () => {
    const old = await revealRecognitionSecretAction(portalId);
    const before = Date.now();
    const result = await rotateRecognitionSecretAction(portalId);
    expect(result).toEqual({ ok: true, createdAt: expect.any(String), previousValidUntil: expect.any(String) });
    if (!result.ok || !result.previousValidUntil) throw new Error("not rotated");
    const until = new Date(result.previousValidUntil).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 24 * 60 * 60 * 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 24 * 60 * 60 * 1000);
    // Dates only: the answer carries no secret.
    expect(JSON.stringify(result)).not.toContain(old.ok ? old.secret : "?");

    const fresh = await revealRecognitionSecretAction(portalId);
    expect(fresh).not.toEqual(old);
    const stored = await secretsOf(portalId);
    expect(stored.filter((row) => row.retiresAt === null).map((row) => row.secret)).toEqual([
      fresh.ok ? fresh.secret : "",
    ]);
    expect(stored.find((row) => old.ok && row.secret === old.secret)?.retiresAt?.toISOString()).toBe(
      result.previousValidUntil,
    );
    expect(revalidated).toEqual([`/portals/${portalId}/settings/webhook`]);
  });

  it("sends a visitor without a session to sign in, and changes nothing", async () => {
    const before = await secretsOf(portalId);
    session.userId = null;
    expect(await redirectOf(rotateRecognitionSecretAction(portalId))).toBe("/sign-in");
    expect(await secretsOf(portalId)).toEqual(before);
  });

  it("refuses the office's accountant (403), an entrepreneur and another office's admin (404), and changes nothing", async () => {
    const before = await secretsOf(portalId);
    session.userId = people.accountant;
    expect(await rotateRecognitionSecretAction(portalId)).toEqual({
      ok: false,
      error: { code: "forbidden", messageKey: "forbidden" },
    });
    for (const userId of [people.entrepreneur, people.otherAdmin]) {
      session.userId = userId;
      expect(await rotateRecognitionSecretAction(portalId)).toEqual({
        ok: false,
        error: { code: "not_found", messageKey: "notFound" },
      });
    }
    expect(await secretsOf(portalId)).toEqual(before);
    expect(revalidated).toEqual([]);
  });

  it("refuses a portal id that is not a uuid", async () => {
    expect(await rotateRecognitionSecretAction("../../etc")).toMatchObject({
      ok: false,
      error: { code: "validation_failed" },
    });
  });
});
