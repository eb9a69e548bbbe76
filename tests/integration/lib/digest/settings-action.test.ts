import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, portalMembers, users } from "@/db/schema";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The notifications page's switch, run for real down from the session: who is signed in (Auth.js's
// auth(), which needs Next's server runtime) and the database handle are the only stand-ins, so the
// actor is built from the membership rows as in production (lib/auth/session.ts).
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const { setFailureDigestAction } = await import("@/app/(app)/portals/[portalId]/settings/notifications/actions");

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

/** The person's digest switch in this file's office. */
async function digestOf(userId: string): Promise<boolean | undefined> {
  const [row] = await opened.db
    .select({ isEnabled: portalMembers.isFailureDigestEnabled })
    .from(portalMembers)
    .where(and(eq(portalMembers.userId, userId), eq(portalMembers.portalId, portalId)));
  return row?.isEnabled;
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
});
afterAll(async () => {
  await opened?.close();
});

describe("setFailureDigestAction", () => {
  it("switches the signed-in admin's own digest", async () => {
    expect(await setFailureDigestAction({ portalId, enabled: false })).toEqual({ ok: true, isEnabled: false });
    expect(await digestOf(people.admin)).toBe(false);
    expect(await setFailureDigestAction({ portalId, enabled: true })).toEqual({ ok: true, isEnabled: true });
  });

  it("sends a visitor without a session to sign in", async () => {
    session.userId = null;
    const refused = await setFailureDigestAction({ portalId, enabled: false }).then(
      () => {
        throw new Error("expected a redirect");
      },
      (error: unknown) => error as { digest?: string },
    );
    // next/navigation's redirect: "NEXT_REDIRECT;<type>;<url>;<status>;".
    expect(String(refused.digest).split(";")[2]).toBe("/sign-in");
  });

  it("answers not found to the office's accountant, an entrepreneur of its dossier and another office's admin", async () => {
    for (const userId of [people.accountant, people.entrepreneur, people.otherAdmin]) {
      session.userId = userId;
      expect(await setFailureDigestAction({ portalId, enabled: false })).toEqual({
        ok: false,
        error: { code: "not_found", messageKey: "notFound" },
      });
    }
    expect(await digestOf(people.accountant)).toBe(true);
    expect(await digestOf(people.admin)).toBe(true);
  });
});
