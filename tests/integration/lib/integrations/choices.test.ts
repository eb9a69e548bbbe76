import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorContext, DossierChoices } from "@/lib/connectors/types";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { loadDossierChoices } from "@/lib/integrations/choices";
import { listIntegrationOptions } from "@/lib/integrations/options";
import { saveDossierIntegration } from "@/lib/integrations/save";
import type { Channel, PackageId } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { createWorld, insertConnectionOf, integrationRowsOf, newDossier, setVatNumber, type World } from "./setup";

// The dossier's choices for an API connection, read from the package through the connector
// runtime. Two stand-in connectors shaped like Exact Online (divisions) and Yuki (administrations
// plus archive folders) answer from a script; the registry hands them out as the real ones would.

type Script = DossierChoices | ConnectorError | "hang" | "malformed";

const calls: { package: string; ctx: ConnectorContext<unknown, unknown, unknown> }[] = [];
const scripts: { exact: Script; yuki: Script } = { exact: {}, yuki: {} };

function answer(script: Script): Promise<DossierChoices> {
  if (script instanceof ConnectorError) return Promise.reject(script);
  if (script === "hang") return new Promise(() => {});
  if (script === "malformed")
    return Promise.resolve({ division: [{ label: "no value" }] } as unknown as DossierChoices);
  return Promise.resolve(script);
}

function stubConnector(id: "exact" | "yuki", dossierSettingsSchema: z.ZodType): Connector {
  return {
    id: `choices-${id}`,
    channel: "api",
    settingsSchema: z.object({}).passthrough(),
    secretsSchema: z.object({}).passthrough(),
    dossierSettingsSchema,
    check: async () => ({ ok: true, checkedAt: new Date() }),
    deliver: async () => ({ packageReference: null, target: {} }),
    async listDossierChoices(ctx) {
      calls.push({ package: id, ctx });
      return answer(scripts[id]);
    },
  };
}

const exactLike = stubConnector("exact", z.object({ division: z.number().int().positive() }));
const yukiLike = stubConnector(
  "yuki",
  z.object({
    administrationId: z.guid(),
    purchaseFolderId: z.number().int().min(0),
    salesFolderId: z.number().int().min(0),
    otherFolderId: z.number().int().min(0).optional(),
  }),
);

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: async (packageId: PackageId, channel: Channel) => {
      if (channel === "api" && packageId === "exact-online") return exactLike;
      if (channel === "api" && packageId === "yuki") return yukiLike;
      return actual.loadConnector(packageId, channel);
    },
  };
});

const DIVISIONS: DossierChoices = {
  division: [
    { value: "101", label: "Bakkerij Peeters BV", detail: "101 · Gent", vatNumber: "BE0401.234.567" },
    { value: "202", label: "Slagerij Janssens", detail: "202 · Leuven", vatNumber: "BE 0999 888 777" },
    { value: "303", label: "Zonder btw", detail: "303", vatNumber: null },
  ],
};

const ADMINISTRATION = "7f3c1d2e-8a9b-4c5d-9e0f-112233445566";
const YUKI: DossierChoices = {
  administrationId: [
    { value: ADMINISTRATION, label: "Bakkerij Peeters", vatNumber: "be0401234567" },
    { value: "8f3c1d2e-8a9b-4c5d-9e0f-112233445566", label: "Andere", vatNumber: "NL001234567B01" },
  ],
  purchaseFolderId: [
    { value: "1", label: "Aankoop" },
    { value: "7", label: "Te verwerken door Yuki" },
  ],
  salesFolderId: [{ value: "2", label: "Verkoop" }],
  otherFolderId: [{ value: "5", label: "Overig" }],
};

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterEach(() => {
  calls.length = 0;
  scripts.exact = {};
  scripts.yuki = {};
  vi.restoreAllMocks();
});
afterAll(async () => {
  await opened?.close();
});

/** A dossier of the first office with this VAT number (dossiers store it as BE + 10 digits). */
async function dossierWithVat(vatNumber: string | null) {
  const dossier = await newDossier(opened.db, world);
  await setVatNumber(opened.db, dossier.id, vatNumber);
  return dossier;
}

const quietWarnings = () => vi.spyOn(console, "warn").mockImplementation(() => undefined);

describe("loadDossierChoices: lists and the suggestion", () => {
  it("lists the package's divisions and suggests the one with the dossier's VAT number", async () => {
    scripts.exact = DIVISIONS;
    const dossier = await dossierWithVat("BE0401234567");
    const result = await loadDossierChoices(opened.db, world.actors.accountant, dossier.id, world.connections.exact.id);
    expect(result).toEqual({ ok: true, choices: DIVISIONS, suggested: { division: "101" } });
  });

  it("matches VAT numbers whatever their spelling (spaces, dots, case)", async () => {
    scripts.exact = DIVISIONS;
    const dossier = await dossierWithVat("BE0999888777");
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toMatchObject({ ok: true, suggested: { division: "202" } });
  });

  it("suggests nothing when no choice has the dossier's VAT number", async () => {
    scripts.exact = DIVISIONS;
    const dossier = await dossierWithVat("BE0111222333");
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toMatchObject({ ok: true, suggested: {} });
  });

  it("suggests nothing when two choices share the dossier's VAT number", async () => {
    const [first] = DIVISIONS.division ?? [];
    scripts.exact = { division: [...(DIVISIONS.division ?? []), { ...first, value: "404", label: "Kopie" }] };
    const dossier = await dossierWithVat("BE0401234567");
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toMatchObject({ ok: true, suggested: {} });
  });

  it("falls back to BE + the enterprise number when the dossier has no VAT number", async () => {
    const dossier = await dossierWithVat(null);
    scripts.exact = { division: [{ value: "9", label: "Dossier zelf", vatNumber: `BE${dossier.companyNumber}` }] };
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toMatchObject({ ok: true, suggested: { division: "9" } });
  });

  it("gives several fields their lists, and a suggestion only where the choices carry VAT numbers", async () => {
    scripts.yuki = YUKI;
    const dossier = await dossierWithVat("BE0401234567");
    const result = await loadDossierChoices(opened.db, world.actors.accountant, dossier.id, world.connections.yuki.id);
    expect(result).toEqual({ ok: true, choices: YUKI, suggested: { administrationId: ADMINISTRATION } });
  });

  it("calls the connector with the dossier set and no dossier settings yet", async () => {
    scripts.exact = DIVISIONS;
    const dossier = await dossierWithVat("BE0401234567");
    await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.ctx.dossierSettings).toBeNull();
    expect(calls[0]?.ctx.dossier).toEqual({
      id: dossier.id,
      name: dossier.name,
      companyNumber: dossier.companyNumber,
      vatNumber: "BE0401234567",
      locale: "nl",
    });
  });

  it("answers an empty list for a connector that reads none (FTP)", async () => {
    const ftp = await insertConnectionOf(opened.db, world.portal.id, { packageId: "expert-m", channel: "ftp" });
    const dossier = await newDossier(opened.db, world);
    expect(await loadDossierChoices(opened.db, world.actors.admin, dossier.id, ftp.id)).toEqual({
      ok: true,
      choices: {},
      suggested: {},
    });
  });

  it("stores a picked division as a number when the form saves it", async () => {
    scripts.exact = DIVISIONS;
    const dossier = await dossierWithVat("BE0401234567");
    const listed = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    if (!listed.ok) throw new Error(listed.messageKey);
    // What the select submits: the choice's value, as text.
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: listed.suggested.division },
    });
    expect((await integrationRowsOf(opened.db, dossier.id))[0]?.settings).toEqual({ division: 101 });
  });
});

describe("loadDossierChoices: the package's failures are answers with a message key", () => {
  it.each([
    [new ConnectorError("auth", "not_authorised"), "not_authorised"],
    [new ConnectorError("auth", "auth_failed", { vendorDetail: "401" }), "auth_failed"],
    [new ConnectorError("retryable", "network"), "network"],
    [new ConnectorError("permanent", "wrong_region"), "wrong_region"],
    [new ConnectorError("retryable", "rate_limited", { retryAfterMs: 1_000 }), "rate_limited"],
  ] as const)("maps %s to connectors.errors.%s", async (error, code) => {
    quietWarnings();
    scripts.exact = error;
    const dossier = await newDossier(opened.db, world);
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toEqual({ ok: false, errorCode: code, messageKey: `connectors.errors.${code}` });
  });

  it("leaves the connection's status alone after refused credentials: listing is a read", async () => {
    quietWarnings();
    scripts.exact = new ConnectorError("auth", "auth_failed");
    const dossier = await newDossier(opened.db, world);
    await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    const [row] = await opened.db
      .select({ status: connections.status, lastErrorCode: connections.lastErrorCode })
      .from(connections)
      .where(eq(connections.id, world.connections.exact.id));
    expect(row).toEqual({ status: "connected", lastErrorCode: null });
  });

  it("gives up at its deadline when the package does not answer", async () => {
    quietWarnings();
    scripts.exact = "hang";
    const dossier = await newDossier(opened.db, world);
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id, {
      timeoutMs: 50,
    });
    expect(result).toEqual({ ok: false, errorCode: "timeout", messageKey: "connectors.errors.timeout" });
  });

  it("refuses a connector answer that is not a list of choices", async () => {
    quietWarnings();
    scripts.exact = "malformed";
    const dossier = await newDossier(opened.db, world);
    const result = await loadDossierChoices(opened.db, world.actors.admin, dossier.id, world.connections.exact.id);
    expect(result).toMatchObject({ ok: false, errorCode: "unknown" });
  });

  it("says the connector is not available for a package without one", async () => {
    // Clearfacts is an e-mail package: no API connector serves it.
    const wk = await insertConnectionOf(opened.db, world.portal.id, { packageId: "clearfacts" });
    const dossier = await newDossier(opened.db, world);
    expect(await loadDossierChoices(opened.db, world.actors.admin, dossier.id, wk.id)).toEqual({
      ok: false,
      errorCode: "connector_unavailable",
      messageKey: "connectors.errors.connector_unavailable",
    });
  });
});

describe("loadDossierChoices: who may, and which connection", () => {
  it("lets admins and accountants of the dossier's portal read the lists", async () => {
    scripts.exact = DIVISIONS;
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      const result = await loadDossierChoices(opened.db, actor, world.dossier.id, world.connections.exact.id);
      expect(result.ok).toBe(true);
    }
  });

  it("refuses the dossier's entrepreneur, who sees the integration but does not configure it", async () => {
    await expect(
      loadDossierChoices(opened.db, world.actors.entrepreneur, world.dossier.id, world.connections.exact.id),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(calls).toEqual([]);
  });

  it("does not know another office's dossier", async () => {
    await expect(
      loadDossierChoices(opened.db, world.actors.otherAdmin, world.dossier.id, world.connections.exact.id),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("does not know another office's connection, an unknown one or a malformed id", async () => {
    for (const connectionId of [
      world.connections.otherConnection.id,
      "00000000-0000-4000-8000-000000000000",
      "not-a-uuid",
    ]) {
      await expect(
        loadDossierChoices(opened.db, world.actors.admin, world.dossier.id, connectionId),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(calls).toEqual([]);
  });

  it("refuses a disabled connection as saving it would", async () => {
    await expect(
      loadDossierChoices(opened.db, world.actors.admin, world.dossier.id, world.connections.disabled.id),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("listIntegrationOptions: which connections read their choices", () => {
  it("marks API connections whose connector lists choices, not FTP ones", async () => {
    const ftpConnection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "vero-online",
      channel: "ftp",
    });
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const byId = new Map(
      options.flatMap((option) => (option.kind === "connection" ? [[option.connectionId, option]] : [])),
    );
    expect(byId.get(world.connections.exact.id)).toMatchObject({ hasChoices: true });
    expect(byId.get(world.connections.yuki.id)).toMatchObject({ hasChoices: true });
    expect(byId.get(ftpConnection.id)).toMatchObject({ hasChoices: false });
  });

  it("does not call the package while listing the options", async () => {
    await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    expect(calls).toEqual([]);
  });
});
