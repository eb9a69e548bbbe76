import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, dossierIntegrations } from "@/db/schema";
import { emailConnector } from "@/lib/connectors/email";
import type { Connector } from "@/lib/connectors/types";
import { type ConnectorLookup, evaluateIntegration, type IntegrationSnapshot } from "@/lib/dispatch/plan";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { integrationStateOf } from "@/lib/portals/integration-state";
import { listPortalDossiers } from "@/lib/portals/overview";
import { createTestDb } from "../../../helpers/db";
import { fakeApiConnector, mockedLoadConnector } from "./fake-connector";
import { createWorld, newDossier, type World } from "./setup";

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      mockedLoadConnector(actual.loadConnector, packageId, channel),
  };
});

const DOSSIER = { companyNumber: "0403170701", vatNumber: "BE0403170701" };
const CONNECTION_ID = "7c1d5f0e-2b7a-4a57-9d0e-000000000001";

/** The connectors as the registry would load them: the stand-in API connector, or none when not built. */
function lookup(options: { isApiConnectorBuilt?: boolean } = {}): ConnectorLookup {
  return (_packageId, channel) => {
    if (channel === "email") return emailConnector as unknown as Connector;
    return options.isApiConnectorBuilt === false ? null : (fakeApiConnector as unknown as Connector);
  };
}

function connectionWith(status: NonNullable<IntegrationSnapshot["connection"]>["status"]) {
  return { id: CONNECTION_ID, packageId: "exact-online", channel: "api" as const, label: "Exact", status };
}

function evaluate(
  integration: IntegrationSnapshot["integration"],
  connection: IntegrationSnapshot["connection"] = null,
  connectorOf: ConnectorLookup = lookup(),
) {
  return evaluateIntegration({ integration, connection, dossier: DOSSIER }, connectorOf);
}

const codes = (input: ReturnType<typeof evaluate>) => input.problems.map((problem) => problem.code);

describe("evaluateIntegration", () => {
  it("says 'not configured' when nothing is chosen", () => {
    expect(evaluate(null)).toEqual({ state: "not_configured", problems: [] });
  });

  it("accepts 'no integration needed' as set up correctly", () => {
    expect(evaluate({ kind: "none", connectionId: null, packageId: null, settings: {} })).toEqual({
      state: "ok",
      problems: [],
    });
  });

  it("names the missing purchase address", () => {
    const result = evaluate({
      kind: "email",
      connectionId: null,
      packageId: "winbooks",
      settings: {
        addressMode: "individual",
        inputs: {},
        addresses: { purchase: null, sales: "verkoop@winbooks.example", other: null },
      },
    });
    expect(result).toEqual({
      state: "needs_attention",
      problems: [
        {
          code: "address_missing_purchase",
          messageKey: "integrations.problems.addressMissingPurchase",
          shortMessageKey: "integrations.problemsShort.addressMissingPurchase",
        },
      ],
    });
  });

  it("names each missing category an 'ask' package takes by mail", () => {
    const result = evaluate({
      kind: "email",
      connectionId: null,
      packageId: "exact-online",
      settings: { addressMode: "standard", inputs: {}, addresses: { purchase: null, sales: null, other: null } },
    });
    expect(codes(result)).toEqual(["address_missing_purchase", "address_missing_sales"]);
  });

  it("names free mail without any address", () => {
    const result = evaluate({
      kind: "free_email",
      connectionId: null,
      packageId: null,
      settings: { addresses: { purchase: null, sales: null, other: null } },
    });
    expect(codes(result)).toEqual(["no_address"]);
  });

  it("names a standard rule's missing inputs, and computes the rest from the dossier", () => {
    const missing = evaluate({
      kind: "email",
      connectionId: null,
      packageId: "clearfacts",
      settings: { addressMode: "standard", inputs: {}, addresses: { purchase: null, sales: null, other: null } },
    });
    expect(missing).toEqual({
      state: "needs_attention",
      problems: [
        {
          code: "rule_inputs_missing",
          messageKey: "integrations.problems.ruleInputsMissing",
          shortMessageKey: "integrations.problemsShort.ruleInputsMissing",
        },
      ],
    });
    const complete = evaluate({
      kind: "email",
      connectionId: null,
      packageId: "clearfacts",
      settings: { addressMode: "standard", inputs: { office: "devos" } },
    });
    expect(complete).toEqual({ state: "ok", problems: [] });
  });

  it.each([
    ["disabled", ["connection_disabled"]],
    ["needs_reauth", ["connection_needs_reauth"]],
    ["error", ["connection_error"]],
    ["connected", []],
    ["not_checked", []],
  ] as const)("judges a connection that is %s", (status, expected) => {
    const result = evaluate(
      { kind: "connection", connectionId: CONNECTION_ID, packageId: null, settings: { division: 1 } },
      connectionWith(status),
    );
    expect(codes(result)).toEqual(expected);
    expect(result.state).toBe(expected.length > 0 ? "needs_attention" : "ok");
  });

  it("names a connection whose connector is not built yet", () => {
    const integration = {
      kind: "connection",
      connectionId: CONNECTION_ID,
      packageId: null,
      settings: { division: 1 },
    } as const;
    const connected = connectionWith("connected");
    expect(codes(evaluate(integration, connected, lookup({ isApiConnectorBuilt: false })))).toEqual([
      "connector_unavailable",
    ]);
    expect(codes(evaluate(integration, connected, lookup({ isApiConnectorBuilt: true })))).toEqual([]);
  });

  it("names dossier settings the connector does not take, as deliveries would refuse them", () => {
    const result = evaluate(
      { kind: "connection", connectionId: CONNECTION_ID, packageId: null, settings: { division: "none" } },
      connectionWith("connected"),
    );
    expect(codes(result)).toEqual(["settings_invalid"]);
  });

  it("names a connection that is gone", () => {
    const result = evaluate({ kind: "connection", connectionId: CONNECTION_ID, packageId: null, settings: {} }, null);
    expect(codes(result)).toEqual(["connection_missing"]);
  });

  it("names stored settings that do not have their kind's shape", () => {
    for (const settings of [{ addresses: "x" }, { addressMode: "both", addresses: {} }, null]) {
      const result = evaluate({ kind: "email", connectionId: null, packageId: "yuki", settings });
      expect(codes(result)).toEqual(["settings_invalid"]);
    }
  });

  it("has a message and a short message for every problem code, in every language", async () => {
    const { MESSAGES } = await import("@/lib/i18n/messages");
    const { INTEGRATION_PROBLEM_CODES } = await import("@/lib/integrations/status");
    for (const messages of Object.values(MESSAGES)) {
      for (const code of INTEGRATION_PROBLEM_CODES) {
        const camel = code.replace(/_([a-z])/g, (_, char: string) => char.toUpperCase()) as never;
        expect(messages.integrations.problems[camel], code).toEqual(expect.any(String));
        expect(messages.integrations.problemsShort[camel], code).toEqual(expect.any(String));
      }
    }
  });

  it("names a package that is not in the catalog (any more)", () => {
    const result = evaluate({
      kind: "email",
      connectionId: null,
      packageId: "gone",
      settings: { addressMode: "individual", addresses: { purchase: "a@b.example", sales: null, other: null } },
    });
    expect(codes(result)).toEqual(["package_unknown"]);
  });
});

describe("integrationStateOf reads addressMode", () => {
  it("shows an ask rule's standard addresses as standard, and typed-in ones as individual", () => {
    const addresses = { purchase: "a@aankoop.exactonline.be", sales: "v@verkoop.exactonline.be", other: null };
    const stateOf = (addressMode: string) =>
      integrationStateOf({
        kind: "email",
        packageId: "exact-online",
        settings: { addressMode, inputs: {}, addresses },
        connection: null,
      });
    expect(stateOf("standard")).toEqual({ kind: "email", packageName: "Exact Online", addressMode: "standard" });
    expect(stateOf("individual")).toEqual({ kind: "email", packageName: "Exact Online", addressMode: "individual" });
  });
});

describe("the portal overview shows each dossier's health", () => {
  let opened: OpenedDb;
  let world: World;
  beforeAll(async () => {
    opened = await createTestDb();
    world = await createWorld(opened.db);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("marks not configured, ok and needs attention (with what is missing)", async () => {
    const ok = await newDossier(opened.db, world);
    const reauth = await newDossier(opened.db, world);
    const disabled = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, ok.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: 1 },
    });
    await saveDossierIntegration(opened.db, world.actors.admin, reauth.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: 2 },
    });
    await saveDossierIntegration(opened.db, world.actors.admin, disabled.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: 3 },
    });
    // Afterwards one dossier moves to the Yuki connection that needs re-authorisation, and one to
    // the disabled connection (as if it was disabled after the choice).
    await opened.db
      .update(dossierIntegrations)
      .set({ connectionId: world.connections.yuki.id })
      .where(eq(dossierIntegrations.dossierId, reauth.id));
    await opened.db
      .update(dossierIntegrations)
      .set({ connectionId: world.connections.disabled.id })
      .where(eq(dossierIntegrations.dossierId, disabled.id));

    const page = await listPortalDossiers(opened.db, world.actors.accountant, { portalId: world.portal.id });
    const health = (id: string) => page.rows.find((row) => row.id === id)?.health;
    expect(health(world.dossier.id)).toEqual({ state: "not_configured", problems: [] });
    expect(health(ok.id)).toEqual({ state: "ok", problems: [] });
    // Yuki's connector is not built yet (Exact Online's is a fake here; Expert/M's is the FTP connector).
    expect(health(reauth.id)?.problems.map((problem) => problem.code)).toEqual([
      "connection_needs_reauth",
      "connector_unavailable",
    ]);
    expect(health(disabled.id)?.problems.map((problem) => problem.code)).toEqual(["connection_disabled"]);
  });

  it("follows a connection's status: disabling it flags its dossiers", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: 9 },
    });
    const before = await listPortalDossiers(opened.db, world.actors.admin, { portalId: world.portal.id });
    expect(before.rows.find((row) => row.id === dossier.id)?.health.state).toBe("ok");
    await opened.db
      .update(connections)
      .set({ status: "disabled" })
      .where(eq(connections.id, world.connections.exact.id));
    const after = await listPortalDossiers(opened.db, world.actors.admin, { portalId: world.portal.id });
    expect(after.rows.find((row) => row.id === dossier.id)?.health).toMatchObject({
      state: "needs_attention",
      problems: [{ code: "connection_disabled" }],
    });
    await opened.db
      .update(connections)
      .set({ status: "connected" })
      .where(eq(connections.id, world.connections.exact.id));
  });
});
