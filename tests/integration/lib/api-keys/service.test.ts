import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { apiKeys, users } from "@/db/schema";
import { authenticateApiKey } from "@/lib/api-keys/authenticate";
import { displayPrefixOf, hashApiKey } from "@/lib/api-keys/key";
import { expiresAtOf, expiryDateBounds } from "@/lib/api-keys/schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/api-keys/service";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

let opened: OpenedDb;
let portalId = "";
let otherPortalId = "";
let actors: Record<"admin" | "secondAdmin" | "accountant" | "entrepreneur" | "otherAdmin", Actor>;
let adminEmail = "";

async function insertUser(name: string | null): Promise<{ id: string; email: string }> {
  const email = `${randomUUID()}@kantoor.test`;
  const [user] = await opened.db.insert(users).values({ name, email }).returning({ id: users.id, email: users.email });
  if (!user) throw new Error("no user");
  return user;
}

const person = (userId: string, portalRoles: Record<string, "admin" | "accountant">): Actor => ({
  kind: "user",
  userId,
  portalRoles,
  dossiers: {},
});

/** An admin key of office A holding every scope: still no key may manage keys. */
const tokenActor = (): Actor => ({
  kind: "token",
  tokenId: randomUUID(),
  portalId,
  role: "admin",
  scopes: API_SCOPES,
});

const bearer = (key: string) => `Bearer ${key}`;
const valid = { name: "Scandienst Janssens", role: "accountant", scopes: ["documents:write", "documents:read"] };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  const dossier = await insertDossier(opened.db, portalId);
  const admin = await insertUser("An Peeters");
  adminEmail = admin.email;
  actors = {
    admin: person(admin.id, { [portalId]: "admin" }),
    secondAdmin: person((await insertUser(null)).id, { [portalId]: "admin" }),
    accountant: person((await insertUser("Bert")).id, { [portalId]: "accountant" }),
    entrepreneur: {
      kind: "user",
      userId: (await insertUser("Cas")).id,
      portalRoles: {},
      dossiers: { [dossier.id]: portalId },
    },
    otherAdmin: person((await insertUser("Dirk")).id, { [otherPortalId]: "admin" }),
  };
});
afterAll(async () => {
  await opened?.close();
});

describe("createApiKey", () => {
  it("makes a key that authenticates as a token of the office with the chosen role and scopes", async () => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    expect(summary).toEqual({
      id: expect.any(String),
      name: "Scandienst Janssens",
      prefix: displayPrefixOf(key),
      role: "accountant",
      scopes: ["documents:read", "documents:write"],
      createdAt: expect.any(Date),
      createdBy: { name: "An Peeters", email: adminEmail },
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      status: "active",
    });
    expect(await authenticateApiKey(opened.db, bearer(key))).toEqual({
      kind: "token",
      tokenId: summary.id,
      portalId,
      role: "accountant",
      scopes: ["documents:read", "documents:write"],
    });
  });

  it("stores only the hash and the prefix: no column holds the key", async () => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    const [row] = await opened.db.select().from(apiKeys).where(eq(apiKeys.id, summary.id));
    expect(row?.keyHash).toBe(hashApiKey(key));
    expect(row?.prefix).toBe(key.slice(0, 12));
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(key);
    // Not even the secret part without its "kop_".
    expect(stored).not.toContain(key.slice(4));
    expect(stored).not.toContain(key.slice(12));
  });

  it("keeps an expiry date as the end of that day in UTC", async () => {
    const { min } = expiryDateBounds();
    const { summary } = await createApiKey(opened.db, actors.admin, portalId, { ...valid, expiresOn: min });
    expect(summary.expiresAt).toEqual(expiresAtOf(min));
    expect(summary.status).toBe("active");
  });

  it.each([
    [{ ...valid, name: "" }, { name: ["apiKey.nameRequired"] }],
    [{ ...valid, name: "x".repeat(101) }, { name: ["apiKey.nameTooLong"] }],
    [{ ...valid, role: "owner" }, { role: ["apiKey.roleInvalid"] }],
    [{ ...valid, scopes: [] }, { scopes: ["apiKey.scopesRequired"] }],
    [{ ...valid, scopes: ["documents:read", "documents:read"] }, { scopes: ["apiKey.scopesDuplicate"] }],
    [{ ...valid, scopes: ["keys:manage"] }, { "scopes.0": ["apiKey.scopeUnknown"] }],
    [{ ...valid, scopes: ["webhooks:manage"] }, { scopes: ["apiKey.scopeNeedsAdmin"] }],
    [{ ...valid, expiresOn: "2001-01-01" }, { expiresOn: ["apiKey.expiresOnPast"] }],
    [{ ...valid, expiresOn: "2999-01-01" }, { expiresOn: ["apiKey.expiresOnTooFar"] }],
    [{ ...valid, expiresOn: "tomorrow" }, { expiresOn: ["apiKey.expiresOnInvalid"] }],
  ])("refuses %j with 400 and field errors, and stores nothing", async (input, fieldErrors) => {
    const before = await opened.db.select({ id: apiKeys.id }).from(apiKeys);
    const error = await refusal(createApiKey(opened.db, actors.admin, portalId, input));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.httpStatus).toBe(400);
    expect(error.fieldErrors).toEqual(fieldErrors);
    expect(await opened.db.select({ id: apiKeys.id }).from(apiKeys)).toHaveLength(before.length);
  });
});

describe("listApiKeys", () => {
  it("shows the office's keys, newest first, by prefix and never by key or hash", async () => {
    const first = await createApiKey(opened.db, actors.admin, portalId, { ...valid, name: "Eerste" });
    const second = await createApiKey(opened.db, actors.admin, portalId, { ...valid, name: "Tweede" });
    const list = await listApiKeys(opened.db, actors.admin, portalId);
    const ids = list.map((key) => key.id);
    expect(ids.indexOf(second.summary.id)).toBeLessThan(ids.indexOf(first.summary.id));
    expect(list.find((key) => key.id === first.summary.id)).toEqual(first.summary);
    const shown = JSON.stringify(list);
    for (const { key } of [first, second]) {
      expect(shown).toContain(displayPrefixOf(key));
      expect(shown).not.toContain(key);
      expect(shown).not.toContain(hashApiKey(key));
    }
  });

  it("records the last use, and shows a key as expired once its day is over", async () => {
    const { min } = expiryDateBounds();
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, { ...valid, expiresOn: min });
    const usedAt = new Date();
    await authenticateApiKey(opened.db, bearer(key), usedAt);
    const afterExpiry = new Date(expiresAtOf(min).getTime() + 1);
    const listed = (await listApiKeys(opened.db, actors.admin, portalId, afterExpiry)).find(
      (candidate) => candidate.id === summary.id,
    );
    expect(listed).toMatchObject({ lastUsedAt: usedAt, status: "expired" });
  });

  it("lists no key of another office", async () => {
    const other = await createApiKey(opened.db, actors.otherAdmin, otherPortalId, valid);
    const list = await listApiKeys(opened.db, actors.admin, portalId);
    expect(list.map((key) => key.id)).not.toContain(other.summary.id);
    expect((await listApiKeys(opened.db, actors.otherAdmin, otherPortalId)).map((key) => key.id)).toEqual([
      other.summary.id,
    ]);
  });
});

describe("revokeApiKey", () => {
  it("stops the key at once, and says who revoked it", async () => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    expect(await authenticateApiKey(opened.db, bearer(key))).not.toBeNull();
    const revoked = await revokeApiKey(opened.db, actors.secondAdmin, portalId, summary.id);
    expect(revoked).toMatchObject({ id: summary.id, status: "revoked", revokedAt: expect.any(Date) });
    expect(revoked.revokedBy).toEqual({ name: null, email: expect.stringMatching(/@kantoor\.test$/) });
    expect(await authenticateApiKey(opened.db, bearer(key))).toBeNull();
  });

  it("changes nothing when the key is already revoked", async () => {
    const { summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    const first = await revokeApiKey(opened.db, actors.admin, portalId, summary.id);
    const again = await revokeApiKey(opened.db, actors.secondAdmin, portalId, summary.id);
    expect(again).toEqual(first);
    const [row] = await opened.db.select().from(apiKeys).where(eq(apiKeys.id, summary.id));
    expect(row?.revokedAt).toEqual(first.revokedAt);
    expect(row?.revokedByUserId).toBe((actors.admin as Extract<Actor, { kind: "user" }>).userId);
  });

  it("answers not found for an unknown or malformed id", async () => {
    expect(await refusal(revokeApiKey(opened.db, actors.admin, portalId, randomUUID()))).toBeInstanceOf(NotFoundError);
    expect(await refusal(revokeApiKey(opened.db, actors.admin, portalId, "'; drop table api_keys"))).toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("an expired key", () => {
  it("no longer authenticates from its expiry on", async () => {
    const { min } = expiryDateBounds();
    const { key } = await createApiKey(opened.db, actors.admin, portalId, { ...valid, expiresOn: min });
    const expiresAt = expiresAtOf(min);
    expect(await authenticateApiKey(opened.db, bearer(key), new Date(expiresAt.getTime() - 1))).not.toBeNull();
    expect(await authenticateApiKey(opened.db, bearer(key), expiresAt)).toBeNull();
  });
});

describe("who may manage keys", () => {
  it("another office's admin: A's keys are not found, whichever office they name", async () => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    const attempts = [
      listApiKeys(opened.db, actors.otherAdmin, portalId),
      createApiKey(opened.db, actors.otherAdmin, portalId, valid),
      revokeApiKey(opened.db, actors.otherAdmin, portalId, summary.id),
      // Through B's own office, with A's key id: B has no such key.
      revokeApiKey(opened.db, actors.otherAdmin, otherPortalId, summary.id),
    ];
    for (const attempt of attempts) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.httpStatus).toBe(404);
    }
    expect(await authenticateApiKey(opened.db, bearer(key))).not.toBeNull();
  });

  it.each([
    ["accountant", ForbiddenError, 403, "forbidden"],
    ["entrepreneur", NotFoundError, 404, "notFound"],
  ] as const)("the office's %s is refused everything", async (who, errorClass, status, messageKey) => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    const before = await opened.db.select().from(apiKeys);
    for (const attempt of [
      listApiKeys(opened.db, actors[who], portalId),
      createApiKey(opened.db, actors[who], portalId, valid),
      revokeApiKey(opened.db, actors[who], portalId, summary.id),
    ]) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(errorClass);
      expect({ status: error.httpStatus, messageKey: error.messageKey }).toEqual({ status, messageKey });
    }
    expect(await opened.db.select().from(apiKeys)).toEqual(before);
    expect(await authenticateApiKey(opened.db, bearer(key))).not.toBeNull();
  });

  it("an API key, even an admin key with every scope, gets 403 apiKeyNotAllowed", async () => {
    const { key, summary } = await createApiKey(opened.db, actors.admin, portalId, valid);
    const before = await opened.db.select().from(apiKeys);
    for (const attempt of [
      listApiKeys(opened.db, tokenActor(), portalId),
      createApiKey(opened.db, tokenActor(), portalId, valid),
      revokeApiKey(opened.db, tokenActor(), portalId, summary.id),
    ]) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error.messageKey).toBe("apiKeyNotAllowed");
    }
    expect(await opened.db.select().from(apiKeys)).toEqual(before);
    expect(await authenticateApiKey(opened.db, bearer(key))).not.toBeNull();
  });

  it("checks the actor before the input: an accountant's invalid input is a 403, not a 400", async () => {
    const error = await refusal(createApiKey(opened.db, actors.accountant, portalId, { name: "" }));
    expect(error).toBeInstanceOf(ForbiddenError);
  });
});
