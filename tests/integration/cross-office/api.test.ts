import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import type { AnyApiOperation } from "@/lib/api/operation";
import { API_OPERATIONS } from "@/lib/api/operations";
import { callApi } from "../../helpers/api";
import { API_EXAMPLES } from "../../helpers/api-examples";
import { type ApiWorld, createApiWorld } from "../../helpers/api-examples/world";
import { createTestDb } from "../../helpers/db";
import { officeRows } from "../../helpers/office-rows";

// Office B's API key calls every operation of the OpenAPI document (enumerated from the document
// at test time) the way office A's examples do, with A's ids. An operation that names a resource
// answers 404; one that names none (a list, a create) answers for B only and shows nothing of A.
// Either way, every row of office A stays as it was.
const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;
const document = buildOpenApiDocument(API_OPERATIONS) as unknown as {
  paths: Record<string, Record<string, { operationId: string }>>;
};
const operationsInDocument: AnyApiOperation[] = Object.values(document.paths).flatMap((item) =>
  HTTP_METHODS.flatMap((method) => {
    const described = item[method];
    if (!described) return [];
    const operation = API_OPERATIONS.find((candidate) => candidate.operationId === described.operationId);
    if (!operation) throw new Error(`the document names ${described.operationId}, which no operation has`);
    return [operation];
  }),
);

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

/** Office A's ids that must never appear in an answer to office B. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function officeAIds(): Promise<string[]> {
  const rows = JSON.parse(await officeRows(opened.db, world.portal.id)) as Record<string, { id?: unknown }[]>;
  // The office's uuids: what an answer could leak. Tables keyed by a bigint identity
  // (document_counts, document_events) give sequence numbers ("1", "2"), which name nothing
  // outside the database and occur in any text (node-postgres answers int8 as a string).
  return Object.values(rows)
    .flat()
    .map((row) => row.id)
    .filter((id): id is string => typeof id === "string" && UUID.test(id) && id !== world.portal.id);
}

describe("the API across offices", () => {
  it("enumerates every operation from the OpenAPI document", () => {
    expect(operationsInDocument.map((operation) => operation.operationId).sort()).toEqual(
      API_OPERATIONS.map((operation) => operation.operationId).sort(),
    );
  });

  const cells = operationsInDocument.flatMap((operation) =>
    API_EXAMPLES.filter((example) => example.operationId === operation.operationId && example.status < 300).map(
      (example) => [operation.operationId, example.title, operation, example] as const,
    ),
  );

  it.each(cells)("%s (%s) with office B's key leaves office A as it was", async (_id, _title, operation, example) => {
    const call = await example.prepare(world);
    const before = await officeRows(opened.db, world.portal.id);
    const answer = await callApi(operation, call.path, { ...call, key: world.keys.otherOffice });
    const text = await answer.text();
    if (operation.path.includes("{")) {
      expect(answer.status, text).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ code: "not_found" });
    } else {
      for (const id of await officeAIds()) expect(text, `office A's ${id} in B's answer`).not.toContain(id);
    }
    expect(await officeRows(opened.db, world.portal.id)).toBe(before);
  });
});
