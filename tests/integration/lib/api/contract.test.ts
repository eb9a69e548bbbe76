import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { claimIdempotencyKey } from "@/lib/api/idempotency";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { type AnyApiOperation, operationOfRoute } from "@/lib/api/operation";
import { API_OPERATIONS } from "@/lib/api/operations";
import { callApi, exhaustRateLimit, insertApiKey } from "../../../helpers/api";
import { API_EXAMPLES } from "../../../helpers/api-examples";
import { type ApiExample, type ApiWorld, createApiWorld } from "../../../helpers/api-examples/world";
import { createTestDb } from "../../../helpers/db";
import { answerOf, createOpenApiValidator } from "../../../helpers/openapi-validator";

/**
 * Every route answers what the OpenAPI document says: (a) each operation has its route file and
 * each route file under app/api/v1 serves an operation; (b) each example call (the table in
 * tests/helpers/api-examples) and the common problems derived from it answer a documented status
 * with a body that validates against the document's schema for that status and content type.
 */
const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));

const V1_DIR = path.resolve(__dirname, "../../../../app/api/v1");
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const document = buildOpenApiDocument(API_OPERATIONS) as unknown as Parameters<typeof createOpenApiValidator>[0];
const validator = createOpenApiValidator(document);

/** Route files under app/api/v1, as paths relative to it ("dossiers/[dossierId]/route.ts"). */
function routeFiles(dir = V1_DIR, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return routeFiles(path.join(dir, entry.name), relative);
    return entry.name === "route.ts" ? [relative] : [];
  });
}

/** The route file that serves an OpenAPI path: "/dossiers/{dossierId}" → "dossiers/[dossierId]/route.ts". */
function routeFileOf(operation: AnyApiOperation): string {
  return `${operation.path.slice(1).replace(/\{([^}]+)\}/g, "[$1]")}/route.ts`;
}

describe("the routes under app/api/v1", () => {
  it("serve each operation with apiRoute at the operation's path and method", async () => {
    for (const operation of API_OPERATIONS) {
      const file = routeFileOf(operation);
      expect(routeFiles(), `${operation.operationId} needs app/api/v1/${file}`).toContain(file);
      const module = (await import(/* @vite-ignore */ path.join(V1_DIR, file))) as Record<string, unknown>;
      expect(operationOfRoute(module[operation.method.toUpperCase()]), `${file} ${operation.method}`).toBe(operation);
    }
  });

  it("have no route file or method that is not an operation (the OpenAPI document aside)", async () => {
    for (const file of routeFiles()) {
      if (file === "openapi.json/route.ts") continue;
      const module = (await import(/* @vite-ignore */ path.join(V1_DIR, file))) as Record<string, unknown>;
      const methods = HTTP_METHODS.filter((method) => method in module);
      expect(methods.length, `${file} exports no method`).toBeGreaterThan(0);
      for (const method of methods) {
        const operation = operationOfRoute(module[method]);
        expect(operation, `${file} ${method} is not apiRoute(operation)`).toBeDefined();
        expect(API_OPERATIONS, `${file} ${method}: its operation is not in API_OPERATIONS`).toContain(operation);
        expect(operation && routeFileOf(operation)).toBe(file);
        expect(operation?.method.toUpperCase()).toBe(method);
      }
    }
  });
});

let opened: OpenedDb;
let world: ApiWorld;

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  world = await createApiWorld(opened.db);
});
afterAll(async () => {
  await world?.dispose();
  await opened?.close();
});

type Call = Awaited<ReturnType<ApiExample["prepare"]>> & { key?: string };

/** Makes a call and checks the answer against the document; returns the answer for more checks. */
async function expectDocumented(operation: AnyApiOperation, call: Call) {
  const response = await callApi(operation, call.path, call);
  const answer = await answerOf(response);
  expect(validator.check(operation.path, operation.method, answer), `${call.path}: ${answer.text}`).toEqual([]);
  return { ...answer, json: () => JSON.parse(answer.text) as Record<string, unknown> };
}

const operationById = new Map(API_OPERATIONS.map((operation) => [operation.operationId, operation]));

describe("the validator", () => {
  it("refuses an undocumented status, a wrong content type, a missing header and a body off the schema", () => {
    const headers = new Headers({ RateLimit: '"api";r=1;t=1', "RateLimit-Policy": '"api";q=600;w=60' });
    const ok = { status: 200, contentType: "application/json", headers, text: "{}" };
    expect(validator.check("/dossiers/{dossierId}", "get", { ...ok, status: 418 })).toEqual([
      "GET /dossiers/{dossierId} 418: status not documented",
    ]);
    expect(validator.check("/dossiers/{dossierId}", "get", { ...ok, contentType: "text/html" })).toHaveLength(1);
    expect(validator.check("/dossiers/{dossierId}", "get", { ...ok, headers: new Headers() })).toHaveLength(3);
    const [problem] = validator.check("/dossiers/{dossierId}", "get", ok);
    expect(problem).toContain("must have required property 'id'");
  });
});

describe("the example table", () => {
  it("has a successful call for every operation, and names only operations that exist", () => {
    for (const operation of API_OPERATIONS) {
      const successes = API_EXAMPLES.filter(
        (example) => example.operationId === operation.operationId && example.status < 300,
      );
      expect(
        successes.length,
        `${operation.operationId} has no 2xx example in tests/helpers/api-examples`,
      ).toBeGreaterThan(0);
    }
    for (const example of API_EXAMPLES) expect(operationById.has(example.operationId), example.operationId).toBe(true);
  });
});

describe.each(API_OPERATIONS.map((operation) => [operation.operationId, operation] as const))(
  "%s",
  (_id, operation) => {
    const examples = API_EXAMPLES.filter((example) => example.operationId === operation.operationId);
    const success = examples.find((example) => example.status < 300);
    const hasParams = operation.path.includes("{");

    it.each(examples.map((example) => [example.title, example] as const))("%s", async (_title, example) => {
      const call = await example.prepare(world);
      const answer = await expectDocumented(operation, { ...call, key: world.keys[example.as ?? "admin"] });
      expect(answer.status, answer.text).toBe(example.status);
    });

    it("answers 401 to a call without a key", async () => {
      if (!success) throw new Error("no successful example");
      const answer = await expectDocumented(operation, await success.prepare(world));
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ code: "unauthenticated" });
    });

    it(`answers 403 to a key without ${operation.scope}`, async () => {
      if (!success) throw new Error("no successful example");
      const key = await world.keyWithout(operation.scope, success.as ?? "admin");
      const answer = await expectDocumented(operation, { ...(await success.prepare(world)), key });
      expect(answer.status, answer.text).toBe(403);
      expect(answer.json()).toMatchObject({ code: "forbidden" });
      expect(String(answer.json().detail)).toContain(operation.scope);
    });

    it("answers 429 once the key's minute is spent", async () => {
      if (!success) throw new Error("no successful example");
      const { key, id } = await insertApiKey(opened.db, world.portal.id);
      await exhaustRateLimit(opened.db, id);
      const answer = await expectDocumented(operation, { ...(await success.prepare(world)), key });
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
    });

    if (hasParams)
      it("answers 404 to another office's key, and to a malformed id", async () => {
        if (!success) throw new Error("no successful example");
        const call = await success.prepare(world);
        const foreign = await expectDocumented(operation, { ...call, key: world.keys.otherOffice });
        expect(foreign.status, foreign.text).toBe(404);
        expect(foreign.json()).toMatchObject({ code: "not_found" });

        // The path's ids (uuids) replaced by text that is no id at all.
        const malformedPath = call.path.replace(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
          "not-an-id",
        );
        expect(malformedPath).not.toBe(call.path);
        const malformed = await expectDocumented(operation, { ...call, path: malformedPath, key: world.keys.admin });
        expect(malformed.status).toBe(404);
      });

    if (operation.body)
      it("answers 415 to another content type and 413 to a body over the limit", async () => {
        if (!success) throw new Error("no successful example");
        const call = await success.prepare(world);
        const wrongType = await expectDocumented(operation, {
          path: call.path,
          key: world.keys.admin,
          body: "name=x",
          headers: { "content-type": "text/plain" },
        });
        expect(wrongType.status).toBe(415);
        const maxBytes = operation.body?.maxBytes ?? 64 * 1024;
        const tooLarge = await expectDocumented(operation, {
          path: call.path,
          key: world.keys.admin,
          body: JSON.stringify({ name: "x".repeat(maxBytes) }),
          headers: {
            "content-type": operation.body?.kind === "json" ? "application/json" : "multipart/form-data; boundary=x",
          },
        });
        expect(tooLarge.status).toBe(413);
      });

    if (operation.method === "post")
      it("answers 422 and 409 for a reused Idempotency-Key", async () => {
        if (!success) throw new Error("no successful example");
        const idempotencyKey = `contract-${operation.operationId}-${Date.now()}`;
        const first = await success.prepare(world);
        const headers = { ...first.headers, "idempotency-key": idempotencyKey };
        const created = await expectDocumented(operation, { ...first, headers, key: world.keys.admin });
        expect(created.status).toBe(success.status);
        const replayed = await expectDocumented(operation, { ...first, headers, key: world.keys.admin });
        expect(replayed.status).toBe(success.status);
        expect(replayed.headers.get("idempotent-replayed")).toBe("true");
        const other = await success.prepare(world);
        const reused = await expectDocumented(operation, { ...other, headers, key: world.keys.admin });
        expect(reused.status).toBe(422);

        const { key, id } = await insertApiKey(opened.db, world.portal.id);
        const held = await success.prepare(world);
        // The raw body as sent: the JSON, or a multipart form's bytes (an upload).
        const body =
          held.json !== undefined
            ? JSON.stringify(held.json)
            : typeof held.body === "string" || held.body instanceof Uint8Array
              ? held.body
              : "";
        await claimIdempotencyKey(opened.db, {
          apiKeyId: id,
          idempotencyKey: "held",
          requestTarget: `POST /api/v1${held.path}`,
          requestHash: (await import("node:crypto")).createHash("sha256").update(body).digest("hex"),
        });
        const running = await expectDocumented(operation, {
          ...held,
          key,
          headers: { ...held.headers, "idempotency-key": "held" },
        });
        expect(running.status).toBe(409);
      });
  },
);
