import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { getDossier } from "@/lib/api/operations/dossiers";
import { callApi, insertApiKey } from "../../../helpers/api";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));

let opened: OpenedDb;
let dossierId = "";
let otherDossierId = "";
let key = "";

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  const portal = await insertPortal(opened.db, "Kantoor A");
  const other = await insertPortal(opened.db, "Kantoor B");
  dossierId = (await insertDossier(opened.db, portal.id)).id;
  otherDossierId = (await insertDossier(opened.db, other.id)).id;
  key = (await insertApiKey(opened.db, portal.id)).key;
});
afterAll(async () => opened?.close());

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
