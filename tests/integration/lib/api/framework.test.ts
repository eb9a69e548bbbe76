import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { OpenedDb } from "@/db";
import { apiIdempotencyKeys, apiKeys, dossiers } from "@/db/schema";
import { claimIdempotencyKey } from "@/lib/api/idempotency";
import { defineApiOperation, MAX_JSON_BODY_BYTES } from "@/lib/api/operation";
import { createDossier, getDossier } from "@/lib/api/operations/dossiers";
import { generateApiKey } from "@/lib/api-keys/key";
import { translatorFor } from "@/lib/i18n/translator";
import { callApi, exhaustRateLimit, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));

let opened: OpenedDb;
let portalId = "";
let dossierId = "";
let otherDossierId = "";
let key = "";
let companyBase = 8_100_000;

/** A company number no dossier has yet (mod-97 valid). */
function freshCompanyNumber(): string {
  const base = companyBase++;
  return `${String(base).padStart(8, "0")}${String(97 - (base % 97)).padStart(2, "0")}`;
}

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  const portal = await insertPortal(opened.db, "Kantoor A");
  const other = await insertPortal(opened.db, "Kantoor B");
  portalId = portal.id;
  dossierId = (await insertDossier(opened.db, portal.id)).id;
  otherDossierId = (await insertDossier(opened.db, other.id)).id;
  key = (await insertApiKey(opened.db, portal.id)).key;
});
afterAll(async () => opened?.close());

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as { status: number; code: string; detail: string; errors?: unknown[] };
}

describe("an API operation", () => {
  it("answers its dossier to a key of the office, with the rate-limit headers", async () => {
    const response = await callApi(getDossier, `/dossiers/${dossierId}`, { key });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: dossierId, integration: "not_configured" });
    expect(response.headers.get("ratelimit-policy")).toBe('"api";q=600;w=60');
    expect(response.headers.get("ratelimit")).toMatch(/^"api";r=\d+;t=\d+$/);
  });

  it("answers 401 without a key and 404 for another office's dossier", async () => {
    const anonymous = await callApi(getDossier, `/dossiers/${dossierId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect(await anonymous.json()).toMatchObject({ status: 401, code: "unauthenticated" });
    const foreign = await callApi(getDossier, `/dossiers/${otherDossierId}`, { key });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: "not_found" });
  });
});

describe("authentication", () => {
  it.each([
    ["no header", undefined],
    ["another scheme", "Basic a2V5OnNlY3JldA=="],
    ["a malformed key", "Bearer not-a-koppel-key"],
    ["an unknown key", `Bearer ${generateApiKey()}`],
  ])("answers 401 with WWW-Authenticate for %s", async (_case, authorization) => {
    const response = await callApi(getDossier, `/dossiers/${dossierId}`, {
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="koppel"');
    expect(await problemOf(response)).toMatchObject({ status: 401, code: "unauthenticated" });
    // Nothing is counted for a caller we do not know.
    expect(response.headers.get("ratelimit")).toBeNull();
  });

  it("answers 401 to a revoked key and to an expired one, and 200 to one that expires later", async () => {
    const revoked = await insertApiKey(opened.db, portalId);
    await opened.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, revoked.id));
    const expired = await insertApiKey(opened.db, portalId, { expiresAt: new Date(Date.now() - 1000) });
    const later = await insertApiKey(opened.db, portalId, { expiresAt: new Date(Date.now() + 3_600_000) });
    for (const dead of [revoked.key, expired.key]) {
      const response = await callApi(getDossier, `/dossiers/${dossierId}`, { key: dead });
      expect(response.status).toBe(401);
      expect(await problemOf(response)).toMatchObject({ code: "unauthenticated" });
    }
    expect((await callApi(getDossier, `/dossiers/${dossierId}`, { key: later.key })).status).toBe(200);
  });
});

describe("authorization", () => {
  it("answers 403 naming the scope to a key of the office without it", async () => {
    const { key: writeOnly } = await insertApiKey(opened.db, portalId, { scopes: ["dossiers:write"] });
    const response = await callApi(getDossier, `/dossiers/${dossierId}`, { key: writeOnly });
    expect(response.status).toBe(403);
    const problem = await problemOf(response);
    expect(problem.code).toBe("forbidden");
    expect(problem.detail).toContain("dossiers:read");
    expect(problem.detail).toBe(translatorFor("en")("errors.apiKeyMissingScope", { scope: "dossiers:read" }));
  });

  it("answers 404, never 403, to another office's key without the scope", async () => {
    const other = await insertPortal(opened.db, "Kantoor C");
    const { key: foreign } = await insertApiKey(opened.db, other.id, { scopes: ["dossiers:write"] });
    const response = await callApi(getDossier, `/dossiers/${dossierId}`, { key: foreign });
    expect(response.status).toBe(404);
  });

  it("answers 404 to a malformed id and to an id that names nothing", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      const response = await callApi(getDossier, `/dossiers/${id}`, { key });
      expect(response.status).toBe(404);
      expect(await problemOf(response)).toMatchObject({ code: "not_found" });
    }
  });
});

describe("the rate limit", () => {
  it("counts each call of a key: the remainder goes down by one", async () => {
    const { key: fresh } = await insertApiKey(opened.db, portalId);
    const first = await callApi(getDossier, `/dossiers/${dossierId}`, { key: fresh });
    const remainingOf = (response: Response) =>
      Number(/r=(\d+)/.exec(response.headers.get("ratelimit") ?? "")?.[1] ?? Number.NaN);
    expect(remainingOf(first)).toBeLessThanOrEqual(599);
    const second = await callApi(getDossier, `/dossiers/${dossierId}`, { key: fresh });
    // The same window, or a new one when the minute turned in between (then 599 again).
    expect([remainingOf(first) - 1, 599]).toContain(remainingOf(second));
  });

  it("answers 429 with Retry-After and the headers once the minute's calls are spent, and only for that key", async () => {
    const spent = await insertApiKey(opened.db, portalId);
    await exhaustRateLimit(opened.db, spent.id);
    const response = await callApi(getDossier, `/dossiers/${dossierId}`, { key: spent.key });
    expect(response.status).toBe(429);
    expect(await problemOf(response)).toMatchObject({ code: "rate_limited" });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get("ratelimit")).toMatch(/^"api";r=0;t=\d+$/);
    expect(response.headers.get("ratelimit-policy")).toBe('"api";q=600;w=60');
    expect((await callApi(getDossier, `/dossiers/${dossierId}`, { key })).status).toBe(200);
  });
});

describe("Idempotency-Key on POST", () => {
  async function dossiersWith(companyNumber: string) {
    return opened.db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(and(eq(dossiers.portalId, portalId), eq(dossiers.companyNumber, companyNumber)));
  }

  it("answers the same body with the first answer again, marked as replayed, and creates one dossier", async () => {
    const companyNumber = freshCompanyNumber();
    const json = { name: "Bakkerij Peeters", companyNumber };
    const headers = { "idempotency-key": `create-${companyNumber}` };
    const first = await callApi(createDossier, "/dossiers", { key, json, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.text();
    const second = await callApi(createDossier, "/dossiers", { key, json, headers });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(await second.text()).toBe(firstBody);
    expect(await dossiersWith(companyNumber)).toHaveLength(1);
  });

  it("answers 422 to the same key with another body, and leaves the first answer in place", async () => {
    const companyNumber = freshCompanyNumber();
    const headers = { "idempotency-key": `reuse-${companyNumber}` };
    const first = await callApi(createDossier, "/dossiers", { key, json: { name: "A", companyNumber }, headers });
    expect(first.status).toBe(201);
    const other = await callApi(createDossier, "/dossiers", {
      key,
      json: { name: "B", companyNumber: freshCompanyNumber() },
      headers,
    });
    expect(other.status).toBe(422);
    expect(await problemOf(other)).toMatchObject({ code: "idempotency_key_reused" });
    expect(await dossiersWith(companyNumber)).toHaveLength(1);
  });

  it("keys are per API key: another key may use the same Idempotency-Key for its own request", async () => {
    const companyNumber = freshCompanyNumber();
    const headers = { "idempotency-key": `shared-${companyNumber}` };
    const { key: second } = await insertApiKey(opened.db, portalId);
    expect(
      (await callApi(createDossier, "/dossiers", { key, json: { name: "A", companyNumber }, headers })).status,
    ).toBe(201);
    const response = await callApi(createDossier, "/dossiers", {
      key: second,
      json: { name: "A", companyNumber },
      headers,
    });
    // Run, not replayed: the company number is taken, so it is refused on its own terms.
    expect(response.status).toBe(400);
    expect(response.headers.get("idempotent-replayed")).toBeNull();
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const { key: holder, id } = await insertApiKey(opened.db, portalId);
    const json = { name: "Lopend", companyNumber: freshCompanyNumber() };
    const body = JSON.stringify(json);
    const claim = await claimIdempotencyKey(opened.db, {
      apiKeyId: id,
      idempotencyKey: "running",
      requestTarget: "POST /api/v1/dossiers",
      requestHash: createHash("sha256").update(body).digest("hex"),
    });
    expect(claim.kind).toBe("run");
    const response = await callApi(createDossier, "/dossiers", {
      key: holder,
      body,
      headers: { "content-type": "application/json", "idempotency-key": "running" },
    });
    expect(response.status).toBe(409);
    expect(await problemOf(response)).toMatchObject({ code: "idempotency_request_in_progress" });
    expect(await dossiersWith(json.companyNumber)).toHaveLength(0);
  });

  it("forgets the key after a 5xx, so a retry runs again", async () => {
    let calls = 0;
    const flaky = defineApiOperation({
      operationId: "flakyTest",
      method: "post",
      path: "/flaky",
      summary: "Fails the first time",
      tags: ["Test"],
      scope: "dossiers:write",
      body: { kind: "json", schema: z.object({ n: z.number() }) },
      responses: { 201: { description: "Done", schema: z.object({ calls: z.number() }) } },
      async handle() {
        calls += 1;
        if (calls === 1) throw new Error("database went away");
        return { status: 201, body: { calls } };
      },
    });
    const init = { key, json: { n: 1 }, headers: { "idempotency-key": `flaky-${Date.now()}` } };
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const failed = await callApi(flaky, "/flaky", init);
    expect(logged).toHaveBeenCalledWith("[api] operation failed", expect.any(Error));
    logged.mockRestore();
    expect(failed.status).toBe(500);
    expect(await problemOf(failed)).toMatchObject({ code: "internal_error" });
    const retried = await callApi(flaky, "/flaky", init);
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(await retried.json()).toEqual({ calls: 2 });
    const replayed = await callApi(flaky, "/flaky", init);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(calls).toBe(2);
  });

  it("refuses a malformed Idempotency-Key with 400 before anything runs", async () => {
    const companyNumber = freshCompanyNumber();
    const response = await callApi(createDossier, "/dossiers", {
      key,
      json: { name: "A", companyNumber },
      headers: { "idempotency-key": "with space" },
    });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ errors: [{ path: "Idempotency-Key" }] });
    expect(await dossiersWith(companyNumber)).toHaveLength(0);
    const stored = await opened.db
      .select()
      .from(apiIdempotencyKeys)
      .where(eq(apiIdempotencyKeys.idempotencyKey, "with space"));
    expect(stored).toHaveLength(0);
  });
});

describe("bodies", () => {
  it("answers 415 to a body that is not JSON", async () => {
    const response = await callApi(createDossier, "/dossiers", {
      key,
      body: "name=A",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
    expect(await problemOf(response)).toMatchObject({ code: "unsupported_media_type" });
  });

  it("answers 413 to a declared length over the limit, and to a longer body without one", async () => {
    const declared = await callApi(createDossier, "/dossiers", {
      key,
      body: "{}",
      headers: { "content-type": "application/json", "content-length": String(MAX_JSON_BODY_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
    const chunks = [new TextEncoder().encode(`{"name":"${"x".repeat(MAX_JSON_BODY_BYTES)}"}`)];
    const streamed = await callApi(createDossier, "/dossiers", {
      key,
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      headers: { "content-type": "application/json" },
    });
    expect(streamed.status).toBe(413);
    expect(await problemOf(streamed)).toMatchObject({ code: "payload_too_large" });
  });

  it("answers 400 with the fields to JSON that is not valid or does not fit", async () => {
    const malformed = await callApi(createDossier, "/dossiers", {
      key,
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const invalid = await callApi(createDossier, "/dossiers", { key, json: { name: "", companyNumber: "123" } });
    expect(invalid.status).toBe(400);
    const problem = await problemOf(invalid);
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors).toEqual([
      { path: "name", message: translatorFor("en")("errors.dossierName.required") },
      { path: "companyNumber", message: translatorFor("en")("errors.companyNumber.invalid") },
    ]);
  });
});

describe("the problem's detail", () => {
  it.each([
    ["nl-BE,nl;q=0.9,en;q=0.5", "nl"],
    ["fr-BE", "fr"],
    ["en-GB", "en"],
    ["de-DE", "en"],
    [undefined, "en"],
  ] as const)("follows Accept-Language %s → %s", async (acceptLanguage, locale) => {
    const headers: Record<string, string> = acceptLanguage ? { "accept-language": acceptLanguage } : {};
    const unauthenticated = await problemOf(await callApi(getDossier, `/dossiers/${dossierId}`, { headers }));
    expect(unauthenticated.detail).toBe(translatorFor(locale)("errors.api.unauthenticated"));
    const notFound = await problemOf(await callApi(getDossier, `/dossiers/${otherDossierId}`, { key, headers }));
    expect(notFound.detail).toBe(translatorFor(locale)("errors.notFound"));
  });

  it("says the same thing in three languages, not three times the same words", () => {
    const details = (["nl", "fr", "en"] as const).map((locale) => translatorFor(locale)("errors.api.unauthenticated"));
    expect(new Set(details).size).toBe(3);
  });
});
