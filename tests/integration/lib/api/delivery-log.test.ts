import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, dispatches } from "@/db/schema";
import { getDeliveryLog, prefersCsv } from "@/lib/api/operations/delivery-log";
import { translatorFor } from "@/lib/i18n/translator";
import { callApi, insertApiKey } from "../../../helpers/api";
import { type ApiWorld, createApiWorld } from "../../../helpers/api-examples/world";
import { createTestDb } from "../../../helpers/db";
import { attemptCopiesOf, insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";

const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));

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

type Entry = { attemptId: string; startedAt: string; reason: string | null; dossier: { id: string } };
type Page = { items: Entry[]; nextCursor: string | null };

/** A portal with `count` attempts on 2026-04-10, a second apart (some sharing one instant). */
async function portalWithAttempts(count: number) {
  const portal = await insertPortal(opened.db, "Kantoor met een log");
  const dossier = await insertDossier(opened.db, portal.id);
  const document = await insertDocument(opened.db, dossier);
  const target = { channel: "email", packageId: "yuki", category: "purchase", to: "a@yuki.example" };
  const [dispatch] = await opened.db
    .insert(dispatches)
    .values({
      portalId: portal.id,
      dossierId: dossier.id,
      documentId: document.id,
      trigger: "retry",
      status: "failed",
      target,
    })
    .returning({ id: dispatches.id });
  if (!dispatch) throw new Error("no dispatch");
  const copies = await attemptCopiesOf(opened.db, dispatch.id);
  await opened.db.insert(attempts).values(
    Array.from({ length: count }, (_, index) => ({
      ...copies,
      portalId: portal.id,
      dispatchId: dispatch.id,
      documentId: document.id,
      number: index + 1,
      trigger: "retry" as const,
      connector: "email",
      target,
      outcome: "retryable_error" as const,
      errorCode: "timeout",
      reason: "connectors.errors.timeout",
      startedAt: new Date(Date.UTC(2026, 3, 10, 8, 0, Math.floor(index / 2))),
    })),
  );
  const { key } = await insertApiKey(opened.db, portal.id, { role: "accountant", scopes: ["documents:read"] });
  return { portal, dossier, key };
}

async function get(path: string, key: string, headers: Record<string, string> = {}) {
  return callApi(getDeliveryLog, path, { key, headers });
}

describe("GET /delivery-log as JSON", () => {
  it("pages through every attempt of the period, oldest first, each once", async () => {
    const { key, dossier } = await portalWithAttempts(7);
    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(
        `/delivery-log?from=2026-04-10&to=2026-04-10&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        key,
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page;
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen.map((entry) => entry.attemptId)).size).toBe(7);
    const times = seen.map((entry) => entry.startedAt);
    expect(times).toEqual([...times].sort());
    expect(seen.every((entry) => entry.dossier.id === dossier.id)).toBe(true);
  });

  it("keeps to the key's office and to the period", async () => {
    const { key } = await portalWithAttempts(2);
    const page = (await (await get("/delivery-log?from=2026-03-01&to=2026-04-09", key)).json()) as Page;
    expect(page).toEqual({ items: [], nextCursor: null });
    const own = (await (await get("/delivery-log?from=2026-03-01&to=2026-04-30", world.keys.admin)).json()) as Page;
    expect(own.items.map((entry) => entry.dossier.id)).toEqual([world.dossier.id]);
  });

  it("gives the reason in the caller's language", async () => {
    for (const locale of ["nl", "fr", "en"] as const) {
      const response = await get("/delivery-log?from=2026-03-02&to=2026-03-02", world.keys.admin, {
        "accept-language": locale,
      });
      const page = (await response.json()) as Page;
      expect(page.items[0]?.reason).toBe(translatorFor(locale)("connectors.errors.timeout" as never));
    }
  });
});

describe("GET /delivery-log as CSV", () => {
  it("answers the office's download for format=csv and for Accept: text/csv, and JSON when JSON ranks higher", async () => {
    for (const [path, headers] of [
      ["/delivery-log?from=2026-03-01&to=2026-03-31&format=csv", {}],
      ["/delivery-log?from=2026-03-01&to=2026-03-31", { accept: "text/csv" }],
    ] as const) {
      const response = await get(path, world.keys.accountant, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toContain("delivery-log-kantoor-a-2026-03-01-2026-03-31.csv");
      expect(response.headers.get("ratelimit")).toMatch(/^"api";r=\d+/);
      const lines = (await response.text())
        .replace(/^\uFEFF/, "")
        .trimEnd()
        .split("\r\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(world.dossier.name);
    }
    const json = await get("/delivery-log?from=2026-03-01&to=2026-03-31", world.keys.accountant, {
      accept: "text/csv;q=0.5, application/json",
    });
    expect(json.headers.get("content-type")).toBe("application/json");
  });

  it("reads Accept by quality", () => {
    expect(prefersCsv("text/csv")).toBe(true);
    expect(prefersCsv("application/json, text/csv;q=0.9")).toBe(false);
    expect(prefersCsv("text/csv;q=1, application/json;q=0.5")).toBe(true);
    expect(prefersCsv("*/*")).toBe(false);
    expect(prefersCsv(null)).toBe(false);
  });
});

describe("GET /delivery-log refuses a bad period", () => {
  it.each([
    ["an end before the start", "from=2026-03-31&to=2026-03-01", "query.to", "failures.export.errors.reversed"],
    ["more than 366 days", "from=2025-01-01&to=2026-03-01", "query.to", "failures.export.errors.too_long"],
    ["a date that does not exist", "from=2026-02-30&to=2026-03-01", "query.from", "errors.api.invalidDate"],
    ["a missing date", "from=2026-03-01", "query.to", "errors.api.invalidDate"],
  ])("%s, as a field error (JSON and CSV alike)", async (_case, query, path, key) => {
    for (const format of ["json", "csv"]) {
      const response = await get(`/delivery-log?${query}&format=${format}`, world.keys.admin, {
        "accept-language": "nl",
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: "validation_failed",
        errors: [{ path, message: translatorFor("nl")(key as never) }],
      });
    }
  });
});
