import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { apiKeys, dossierMembers, portalMembers, users } from "@/db/schema";
import { authenticateApiKey } from "@/lib/api-keys/authenticate";
import { API_KEY_PATTERN } from "@/lib/api-keys/key";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The API keys page's server actions, run for real down from the session: who is signed in
// (Auth.js's auth(), which needs Next's server runtime), the database handle and Next's cache are
// the only stand-ins, so the actor is built from the membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const { createApiKeyAction, revokeApiKeyAction } = await import(
  "@/app/(app)/portals/[portalId]/settings/api-keys/actions"
);
const { revalidatePath } = await import("next/cache");

const ACTIONS_FILE = path.join(
  process.cwd(),
  "app",
  "(app)",
  "portals",
  "[portalId]",
  "settings",
  "api-keys",
  "actions.ts",
);

let opened: OpenedDb;
let portalId = "";
let otherPortalId = "";
const people = { admin: "", accountant: "", entrepreneur: "", otherEntrepreneur: "", otherAdmin: "" };

async function insertUser(): Promise<string> {
  const [user] = await opened.db
    .insert(users)
    .values({ email: `${randomUUID()}@kantoor.test` })
    .returning({ id: users.id });
  if (!user) throw new Error("no user");
  return user.id;
}

function formOf(values: Record<string, string | string[]>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
  }
  return form;
}

const createForm = (values: Record<string, string | string[]> = {}) =>
  formOf({
    portalId,
    name: "Scandienst",
    role: "admin",
    scopes: ["documents:read", "webhooks:manage"],
    expiresOn: "",
    ...values,
  });

async function createAsAdmin(): Promise<{ key: string; keyId: string }> {
  session.userId = people.admin;
  const result = await createApiKeyAction(createForm());
  if (!result?.ok) throw new Error(`create failed: ${JSON.stringify(result)}`);
  return result;
}

const allKeys = () => opened.db.select().from(apiKeys);

/** next/navigation's redirect, thrown: "NEXT_REDIRECT;<type>;<url>;<status>;". */
async function redirectOf(promise: Promise<unknown>): Promise<string> {
  const refused = await promise.then(
    () => {
      throw new Error("expected a redirect");
    },
    (error: unknown) => error as { digest?: string },
  );
  return String(refused.digest).split(";")[2] ?? "";
}

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  const dossier = await insertDossier(opened.db, portalId);
  const otherDossier = await insertDossier(opened.db, otherPortalId);
  for (const who of Object.keys(people) as (keyof typeof people)[]) people[who] = await insertUser();
  await opened.db.insert(portalMembers).values([
    { portalId, userId: people.admin, role: "admin" },
    { portalId, userId: people.accountant, role: "accountant" },
    { portalId: otherPortalId, userId: people.otherAdmin, role: "admin" },
  ]);
  await opened.db.insert(dossierMembers).values([
    { portalId, dossierId: dossier.id, userId: people.entrepreneur },
    { portalId: otherPortalId, dossierId: otherDossier.id, userId: people.otherEntrepreneur },
  ]);
});
beforeEach(() => {
  session.userId = people.admin;
  vi.mocked(revalidatePath).mockClear();
});
afterAll(async () => {
  await opened?.close();
});

describe("createApiKeyAction", () => {
  it("gives the signed-in admin the new key once, and the key works", async () => {
    const result = await createApiKeyAction(createForm());
    expect(result).toEqual({
      ok: true,
      key: expect.stringMatching(API_KEY_PATTERN),
      keyId: expect.any(String),
      name: "Scandienst",
    });
    if (!result?.ok) return;
    expect(await authenticateApiKey(opened.db, `Bearer ${result.key}`)).toMatchObject({
      portalId,
      role: "admin",
      scopes: ["documents:read", "webhooks:manage"],
    });
    const [row] = await opened.db.select().from(apiKeys).where(eq(apiKeys.id, result.keyId));
    expect(row?.createdByUserId).toBe(people.admin);
    expect(revalidatePath).toHaveBeenCalledWith(`/portals/${portalId}/settings/api-keys`);
  });

  it("answers field errors and what was typed, so the form can refill itself", async () => {
    const before = await allKeys();
    const result = await createApiKeyAction(
      createForm({ name: " ", role: "accountant", scopes: ["webhooks:manage"], expiresOn: "1999-12-31" }),
    );
    expect(result).toEqual({
      ok: false,
      error: { code: "validation_failed", messageKey: "validationFailed" },
      fieldErrors: {
        name: ["apiKey.nameRequired"],
        scopes: ["apiKey.scopeNeedsAdmin"],
        expiresOn: ["apiKey.expiresOnPast"],
      },
      values: { name: " ", role: "accountant", scopes: ["webhooks:manage"], expiresOn: "1999-12-31" },
    });
    expect(await allKeys()).toEqual(before);
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("refuses an office id that is not a uuid", async () => {
    expect(await createApiKeyAction(createForm({ portalId: "../../etc" }))).toMatchObject({
      ok: false,
      error: { code: "validation_failed" },
    });
  });
});

describe("revokeApiKeyAction", () => {
  it("revokes the key for the office's admin, at once and again without change", async () => {
    const { key, keyId } = await createAsAdmin();
    expect(await revokeApiKeyAction(portalId, keyId)).toEqual({ ok: true, status: "revoked" });
    expect(await authenticateApiKey(opened.db, `Bearer ${key}`)).toBeNull();
    expect(await revokeApiKeyAction(portalId, keyId)).toEqual({ ok: true, status: "revoked" });
    expect(revalidatePath).toHaveBeenCalledWith(`/portals/${portalId}/settings/api-keys`);
  });

  it("answers not found for another office's key named through one's own office", async () => {
    const { key, keyId } = await createAsAdmin();
    session.userId = people.otherAdmin;
    expect(await revokeApiKeyAction(otherPortalId, keyId)).toEqual({
      ok: false,
      error: { code: "not_found", messageKey: "notFound" },
    });
    expect(await authenticateApiKey(opened.db, `Bearer ${key}`)).not.toBeNull();
  });
});

describe("who may use the page's actions", () => {
  it("sends a visitor without a session to sign in, and changes nothing", async () => {
    const { key, keyId } = await createAsAdmin();
    const before = await allKeys();
    session.userId = null;
    expect(await redirectOf(createApiKeyAction(createForm()))).toBe("/sign-in");
    expect(await redirectOf(revokeApiKeyAction(portalId, keyId))).toBe("/sign-in");
    expect(await allKeys()).toEqual(before);
    expect(await authenticateApiKey(opened.db, `Bearer ${key}`)).not.toBeNull();
  });

  it.each([
    ["the office's accountant", "accountant", "forbidden"],
    ["an entrepreneur of the office's dossier", "entrepreneur", "not_found"],
    ["an entrepreneur of another office's dossier", "otherEntrepreneur", "not_found"],
    ["another office's admin", "otherAdmin", "not_found"],
  ] as const)("refuses %s (%s) and changes nothing", async (_who, person, code) => {
    const { key, keyId } = await createAsAdmin();
    const before = await allKeys();
    vi.mocked(revalidatePath).mockClear();
    session.userId = people[person];
    const create = await createApiKeyAction(createForm());
    // The key never reaches whoever is refused, nor does anything they typed come back as a key.
    expect(create).toMatchObject({ ok: false, error: { code } });
    expect(create).not.toHaveProperty("key");
    expect(await revokeApiKeyAction(portalId, keyId)).toMatchObject({ ok: false, error: { code } });
    expect(await allKeys()).toEqual(before);
    expect(await authenticateApiKey(opened.db, `Bearer ${key}`)).not.toBeNull();
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("the actions file holds no authorization logic: parse → service → revalidate", () => {
    const source = readFileSync(ACTIONS_FILE, "utf8");
    expect(source.trimStart().startsWith('"use server";')).toBe(true);
    const exports = source.match(/^export (?!type ).*$/gm) ?? [];
    expect(exports.length).toBeGreaterThan(0);
    for (const line of exports) expect(line).toMatch(/^export async function \w+Action\(/);
    expect(source).not.toMatch(/lib\/auth\/(authorize|permissions)|\bauthorize\(|\bcan\(|portalRoles|\.role\b/);
    expect(source).toContain('from "@/lib/api-keys/service"');
    // The plain key is handed to the browser, never logged.
    expect(source).not.toMatch(/console\.|logger/);
  });
});
