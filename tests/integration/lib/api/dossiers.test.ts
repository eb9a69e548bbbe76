import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossiers } from "@/db/schema";
import {
  createDossier,
  getDossier,
  getDossierIntegration,
  listDossiers,
  updateDossier,
} from "@/lib/api/operations/dossiers";
import { companyNumberFromBase, formatCompanyNumber } from "@/lib/dossiers/company-number";
import { translatorFor } from "@/lib/i18n/translator";
import { callApi, insertApiKey } from "../../../helpers/api";
import { type ApiWorld, createApiWorld } from "../../../helpers/api-examples/world";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";

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

type DossierBody = {
  id: string;
  name: string;
  companyNumber: string;
  vatNumber: string | null;
  locale: "nl" | "fr" | "en";
  isAutoSendEnabled: boolean;
  integration: string;
};
type Page = { items: DossierBody[]; nextCursor: string | null };

async function pageOf(path: string, key = world.keys.admin): Promise<Page> {
  const response = await callApi(listDossiers, path, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

describe("GET /dossiers", () => {
  it("walks every dossier of the office by name then id, each once, following nextCursor", async () => {
    const portal = await insertPortal(opened.db, "Kantoor met veel dossiers");
    const { key } = await insertApiKey(opened.db, portal.id, { role: "accountant", scopes: ["dossiers:read"] });
    // Equal names are ordered by id; names differ in case and accents.
    const names = ["Bakkerij", "bakkerij", "Ázur", "Zeeman", "Bakkerij", "Apotheek", "Bakkerij"];
    await opened.db.insert(dossiers).values(
      names.map((name, index) => ({
        portalId: portal.id,
        name,
        companyNumber: companyNumberFromBase(9_100_000 + index),
      })),
    );
    const stored = await opened.db
      .select({ id: dossiers.id, name: dossiers.name })
      .from(dossiers)
      .where(eq(dossiers.portalId, portal.id))
      .orderBy(dossiers.name, dossiers.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await pageOf(`/dossiers?limit=3${cursor ? `&cursor=${cursor}` : ""}`, key);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(stored.map((row) => row.id));
    expect(pages).toBe(3);
  });

  it("gives 50 by default and never another office's dossiers", async () => {
    const portal = await insertPortal(opened.db, "Kantoor met 52 dossiers");
    const { key } = await insertApiKey(opened.db, portal.id);
    await opened.db.insert(dossiers).values(
      Array.from({ length: 52 }, (_, index) => ({
        portalId: portal.id,
        name: `Dossier ${String(index).padStart(2, "0")}`,
        companyNumber: companyNumberFromBase(9_200_000 + index),
      })),
    );
    const first = await pageOf("/dossiers", key);
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const last = await pageOf(`/dossiers?cursor=${first.nextCursor}`, key);
    expect(last.items).toHaveLength(2);
    expect(last.nextCursor).toBeNull();
    const theirs = [...first.items, ...last.items].map((item) => item.id);
    expect(theirs).not.toContain(world.dossier.id);
    expect(theirs).not.toContain(world.otherDossier.id);
  });

  it("searches the name, the enterprise number in any notation and the VAT number", async () => {
    const companyNumber = companyNumberFromBase(9_300_001);
    const [dossier] = await opened.db
      .insert(dossiers)
      .values({
        portalId: world.portal.id,
        name: "Brouwerij 't Zwaantje",
        companyNumber,
        vatNumber: `BE${companyNumber}`,
      })
      .returning({ id: dossiers.id });
    for (const search of [
      "zwaantje",
      formatCompanyNumber(companyNumber),
      `BE ${companyNumber}`,
      companyNumber.slice(2, 8),
    ]) {
      const page = await pageOf(`/dossiers?search=${encodeURIComponent(search)}`);
      expect(
        page.items.map((item) => item.id),
        search,
      ).toEqual([dossier?.id]);
    }
    expect((await pageOf("/dossiers?search=%25")).items).toEqual([]);
  });

  it("answers each dossier with its integration's kind", async () => {
    const page = await pageOf("/dossiers?limit=100");
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect(byId.get(world.dossier.id)).toMatchObject({ integration: "email", isAutoSendEnabled: true });
    expect(byId.get(world.connectedDossier.id)).toMatchObject({ integration: "connection" });
  });

  it("refuses a limit out of range and a cursor it did not give, naming the field", async () => {
    for (const path of ["/dossiers?limit=0", "/dossiers?limit=101", "/dossiers?limit=ten"]) {
      const response = await callApi(listDossiers, path, { key: world.keys.admin });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        errors: [{ path: "query.limit", message: translatorFor("en")("errors.api.invalidLimit") }],
      });
    }
    const forged = Buffer.from(JSON.stringify(["x", "not-a-uuid"])).toString("base64url");
    const response = await callApi(listDossiers, `/dossiers?cursor=${forged}`, { key: world.keys.admin });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: "query.cursor" }] });
  });
});

describe("POST /dossiers", () => {
  it("creates the dossier in the key's office and answers it with its Location", async () => {
    const companyNumber = world.freshCompanyNumber();
    const response = await callApi(createDossier, "/dossiers", {
      key: world.keys.accountant,
      json: { name: "  Garage Janssens ", companyNumber: formatCompanyNumber(companyNumber) },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as DossierBody;
    expect(body).toEqual({
      id: expect.any(String),
      name: "Garage Janssens",
      companyNumber,
      vatNumber: `BE${companyNumber}`,
      locale: "nl",
      isAutoSendEnabled: true,
      integration: "not_configured",
    });
    expect(response.headers.get("location")).toBe(`/api/v1/dossiers/${body.id}`);
    const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, body.id));
    expect(row?.portalId).toBe(world.portal.id);
  });

  it("creates a dossier in the language it is given", async () => {
    const response = await callApi(createDossier, "/dossiers", {
      key: world.keys.admin,
      json: { name: "Fleuriste Dupont", companyNumber: world.freshCompanyNumber(), locale: "fr" },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as DossierBody;
    expect(body.locale).toBe("fr");
    const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, body.id));
    expect(row?.locale).toBe("fr");
  });

  it("refuses a language it does not know, naming the field in the caller's language", async () => {
    const response = await callApi(createDossier, "/dossiers", {
      key: world.keys.admin,
      json: { name: "Blumen Müller", companyNumber: world.freshCompanyNumber(), locale: "de" },
      headers: { "accept-language": "fr" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [{ path: "locale", message: translatorFor("fr")("errors.dossierLocale.invalid") }],
    });
  });

  it("lets a key with dossiers:write alone create, and read back what it made", async () => {
    const { key } = await insertApiKey(opened.db, world.portal.id, { scopes: ["dossiers:write"] });
    const response = await callApi(createDossier, "/dossiers", {
      key,
      json: { name: "Alleen schrijven", companyNumber: world.freshCompanyNumber() },
    });
    expect(response.status).toBe(201);
  });

  it("refuses a company number the office already has as a field error, in the caller's language", async () => {
    const response = await callApi(createDossier, "/dossiers", {
      key: world.keys.admin,
      json: { name: "Nog eens", companyNumber: world.dossier.companyNumber },
      headers: { "accept-language": "fr" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "validation_failed",
      errors: [{ path: "companyNumber", message: translatorFor("fr")("errors.companyNumber.duplicate") }],
    });
  });

  it("lets another office have the same company number", async () => {
    const response = await callApi(createDossier, "/dossiers", {
      key: world.keys.otherOffice,
      json: { name: "Zelfde bedrijf", companyNumber: world.dossier.companyNumber },
    });
    expect(response.status).toBe(201);
  });
});

describe("PATCH /dossiers/{dossierId}", () => {
  async function patch(dossierId: string, json: unknown, key = world.keys.admin) {
    return callApi(updateDossier, `/dossiers/${dossierId}`, { key, json });
  }

  it("changes only what is sent", async () => {
    const dossier = await world.newDossier();
    const response = await patch(dossier.id, { name: "Nieuwe naam" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: dossier.id,
      name: "Nieuwe naam",
      companyNumber: dossier.companyNumber,
      isAutoSendEnabled: true,
    });
  });

  it("moves a default VAT number along with a new company number, keeps one of its own, and resets on null", async () => {
    const dossier = await world.newDossier();
    const first = world.freshCompanyNumber();
    expect(await (await patch(dossier.id, { companyNumber: first })).json()).toMatchObject({
      companyNumber: first,
      vatNumber: `BE${first}`,
    });
    const own = world.freshCompanyNumber();
    expect(await (await patch(dossier.id, { vatNumber: own })).json()).toMatchObject({ vatNumber: `BE${own}` });
    const second = world.freshCompanyNumber();
    expect(await (await patch(dossier.id, { companyNumber: second })).json()).toMatchObject({
      companyNumber: second,
      vatNumber: `BE${own}`,
    });
    expect(await (await patch(dossier.id, { vatNumber: null })).json()).toMatchObject({ vatNumber: `BE${second}` });
  });

  it("changes the dossier's language, and answers it on every read", async () => {
    const dossier = await world.newDossier();
    const response = await patch(dossier.id, { locale: "fr" }, world.keys.accountant);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: dossier.id, name: dossier.name, locale: "fr" });
    const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, dossier.id));
    expect(row?.locale).toBe("fr");
    const read = await callApi(getDossier, `/dossiers/${dossier.id}`, { key: world.keys.admin });
    expect(await read.json()).toMatchObject({ locale: "fr" });
    const page = await pageOf(`/dossiers?search=${dossier.companyNumber}`);
    expect(page.items).toMatchObject([{ id: dossier.id, locale: "fr" }]);
  });

  it("switches auto-send, with a key that has dossiers:write only", async () => {
    const dossier = await world.newDossier();
    const { key } = await insertApiKey(opened.db, world.portal.id, { role: "accountant", scopes: ["dossiers:write"] });
    const response = await patch(dossier.id, { isAutoSendEnabled: false }, key);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ isAutoSendEnabled: false });
    const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, dossier.id));
    expect(row?.isAutoSendEnabled).toBe(false);
  });

  it("refuses another dossier's company number and changes nothing", async () => {
    const dossier = await world.newDossier();
    const response = await patch(dossier.id, { name: "Mag niet", companyNumber: world.dossier.companyNumber });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: "companyNumber" }] });
    const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, dossier.id));
    expect(row).toMatchObject({ name: dossier.name, companyNumber: dossier.companyNumber });
  });

  it("refuses an empty change, a bad VAT number, a non-boolean switch and an unknown language", async () => {
    const dossier = await world.newDossier();
    for (const [json, path] of [
      [{}, "(body)"],
      [{ vatNumber: "NL123" }, "vatNumber"],
      [{ isAutoSendEnabled: "yes" }, "isAutoSendEnabled"],
      [{ locale: "de" }, "locale"],
      [{ locale: null }, "locale"],
    ] as const) {
      const response = await patch(dossier.id, json);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ errors: [{ path }] });
    }
  });

  it("answers 404 to another office's key and changes nothing", async () => {
    const response = await patch(world.dossier.id, { name: "Overgenomen", locale: "en" }, world.keys.otherOffice);
    expect(response.status).toBe(404);
    const read = await callApi(getDossier, `/dossiers/${world.dossier.id}`, { key: world.keys.admin });
    expect(await read.json()).toMatchObject({ name: world.dossier.name, locale: "nl" });
  });
});

describe("GET /dossiers/{dossierId}/integration", () => {
  type IntegrationBody = Record<string, unknown> & {
    health: { state: string; problems: { code: string; message: string }[] };
  };
  async function integrationOf(dossierId: string, headers: Record<string, string> = {}) {
    const response = await callApi(getDossierIntegration, `/dossiers/${dossierId}/integration`, {
      key: world.keys.admin,
      headers,
    });
    expect(response.status).toBe(200);
    return (await response.json()) as IntegrationBody;
  }

  it("answers an e-mail integration with its package and addresses", async () => {
    expect(await integrationOf(world.dossier.id)).toMatchObject({
      dossierId: world.dossier.id,
      kind: "email",
      channel: "email",
      packageId: "yuki",
      packageName: "Yuki",
      connection: null,
      addressMode: "individual",
      addresses: { purchase: "aankoop@yuki.example", sales: "verkoop@yuki.example", other: null },
      health: { state: "ok", problems: [] },
      updatedAt: expect.any(String),
    });
  });

  it("answers a connection with its label, status, settings and what to fix, in the caller's language", async () => {
    const body = await integrationOf(world.connectedDossier.id, { "accept-language": "fr" });
    expect(body).toMatchObject({
      kind: "connection",
      channel: "api",
      packageId: "exact-online",
      packageName: "Exact Online",
      connection: { label: "Exact Online", status: "not_checked" },
      settings: { division: "123456" },
      addresses: null,
    });
    for (const problem of body.health.problems) {
      const camel = problem.code.replace(/_([a-z])/g, (_, char: string) => char.toUpperCase());
      expect(problem.message).toBe(translatorFor("fr")(`integrations.problems.${camel}` as never));
    }
  });

  it("answers a dossier without one as not configured", async () => {
    const dossier = await world.newDossier();
    expect(await integrationOf(dossier.id)).toMatchObject({
      kind: "not_configured",
      channel: null,
      packageId: null,
      health: { state: "not_configured", problems: [] },
      updatedAt: null,
    });
  });
});
