import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { OpenedDb } from "@/db";
import { runAfterConnectionSaved, runAfterDossierMapped } from "@/lib/connections/hooks";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorWebhook } from "@/lib/connectors/types";
import { resetEnvCache } from "@/lib/env";
import { saveDossierIntegration } from "@/lib/integrations/save";
import type { Channel, PackageId } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { setIntegration } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

// The platform half of the connector's after-save hooks (lib/connections/hooks.ts), with stand-in
// connectors on the world's Exact Online connection: what a hook is given, that a connector without
// hooks costs no call, and that nothing a hook does reaches the save. What Exact's own hooks do at
// Exact is tested in tests/integration/lib/connectors/exact-online/subscription.test.ts.

const dossierSettingsSchema = z.object({ division: z.coerce.number().int().positive() });

/** The connector the registry hands out for exact-online over the API in this file. */
let standIn: Connector;

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: async (packageId: PackageId, channel: Channel) =>
      packageId === "exact-online" && channel === "api" ? standIn : actual.loadConnector(packageId, channel),
  };
});

/** A connector with the contract's required members only; each one records whether it was called. */
function connectorWithoutHooks() {
  return {
    id: "stand-in",
    channel: "api",
    settingsSchema: z.object({}).passthrough(),
    secretsSchema: z.object({}).passthrough(),
    dossierSettingsSchema,
    check: vi.fn(async () => ({ ok: true as const, checkedAt: new Date() })),
    deliver: vi.fn(async () => ({ packageReference: "x", target: {} })),
    listDossierChoices: vi.fn(async () => ({})),
    pollStatus: vi.fn(async () => []),
  } satisfies Connector;
}

const aWebhook: ConnectorWebhook<unknown> = {
  maxBytes: 1024,
  parse: () => null,
  isSignedWith: () => false,
  packageReferencesOf: () => [],
};

const PUBLIC_URL = "https://koppel.example";
const DEPLOYMENT_WEBHOOK_SECRET = "deployment-webhook-secret-0123456";
const ENV_KEYS = ["AUTH_URL", "EXACT_ONLINE_WEBHOOK_SECRET"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>>) {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

let opened: OpenedDb;
let world: World;
let fetchSpy: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  setEnv(savedEnv);
  await opened?.close();
});
beforeEach(() => {
  setEnv({ AUTH_URL: PUBLIC_URL, EXACT_ONLINE_WEBHOOK_SECRET: DEPLOYMENT_WEBHOOK_SECRET });
  fetchSpy = vi.spyOn(globalThis, "fetch");
});
afterEach(() => vi.restoreAllMocks());

const mapping = { kind: "connection", connectionId: "", settings: { division: "7" } };

describe("a connector without hooks", () => {
  it("is saved and mapped without any call: no hook, no connector method, no request", async () => {
    const plain = connectorWithoutHooks();
    standIn = plain as unknown as Connector;
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connectionId = world.connections.exact.id;

    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      ...mapping,
      connectionId,
    });
    expect(saved.optionKey).toContain(connectionId);
    const input = { portalId: world.portal.id, connectionId };
    expect(await runAfterDossierMapped(opened.db, { ...input, dossierSettings: { division: 7 } })).toEqual({
      outcome: "skipped",
      reason: "no_hook",
    });
    expect(await runAfterConnectionSaved(opened.db, input)).toEqual([]);

    for (const method of [plain.check, plain.deliver, plain.listDossierChoices, plain.pollStatus]) {
      expect(method).not.toHaveBeenCalled();
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("a connector with hooks", () => {
  it("gets, after a dossier is mapped, its settings parsed by its schema and the connection's webhook address and secret", async () => {
    const afterDossierMapped = vi.fn(async () => ({ outcome: "done" as const, action: "noted" }));
    standIn = { ...connectorWithoutHooks(), webhook: aWebhook, afterDossierMapped } as unknown as Connector;
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connectionId = world.connections.exact.id;

    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, { ...mapping, connectionId });
    expect(afterDossierMapped).toHaveBeenCalledTimes(1);
    const [ctx, input] = afterDossierMapped.mock.calls[0] as unknown as [
      { signal: AbortSignal; dossier: unknown; dossierSettings: unknown },
      unknown,
    ];
    expect(input).toEqual({
      dossierSettings: { division: 7 },
      webhookUrl: `${PUBLIC_URL}/api/webhooks/exact-online?connection=${connectionId}`,
      // The world's connection is on the deployment's app: the deployment's webhook secret.
      webhookSecret: DEPLOYMENT_WEBHOOK_SECRET,
    });
    expect(ctx.signal).toBeInstanceOf(AbortSignal);
    expect(ctx.dossier).toBeNull();
  });

  it("gives no webhook address to a connector that takes no webhook, nor without a public address", async () => {
    const afterDossierMapped = vi.fn(async () => ({ outcome: "skipped" as const, reason: "nothing to do" }));
    standIn = { ...connectorWithoutHooks(), afterDossierMapped } as unknown as Connector;
    const input = {
      portalId: world.portal.id,
      connectionId: world.connections.exact.id,
      dossierSettings: { division: 1 },
    };
    expect(await runAfterDossierMapped(opened.db, input)).toEqual({ outcome: "skipped", reason: "nothing to do" });
    expect(afterDossierMapped).toHaveBeenLastCalledWith(expect.anything(), {
      dossierSettings: { division: 1 },
      webhookUrl: null,
      webhookSecret: null,
    });

    standIn = { ...connectorWithoutHooks(), webhook: aWebhook, afterDossierMapped } as unknown as Connector;
    setEnv({ AUTH_URL: undefined });
    await runAfterDossierMapped(opened.db, input);
    expect(afterDossierMapped).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.objectContaining({ webhookUrl: null }),
    );
  });

  it("is not run for dossier settings its schema refuses, nor for another office's connection", async () => {
    const afterDossierMapped = vi.fn(async () => ({ outcome: "done" as const, action: "noted" }));
    standIn = { ...connectorWithoutHooks(), afterDossierMapped } as unknown as Connector;
    const input = { portalId: world.portal.id, connectionId: world.connections.exact.id };
    expect(await runAfterDossierMapped(opened.db, { ...input, dossierSettings: { division: "none" } })).toEqual({
      outcome: "skipped",
      reason: "invalid_dossier_settings",
    });
    const foreign = { portalId: world.otherPortal.id, connectionId: world.connections.exact.id, dossierSettings: {} };
    expect(await runAfterDossierMapped(opened.db, foreign)).toEqual({ outcome: "skipped", reason: "not_found" });
    expect(afterDossierMapped).not.toHaveBeenCalled();
  });

  it("that throws or never answers is recorded as failed, and the dossier is saved all the same", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const refusing = vi.fn(async () => {
      throw new ConnectorError("permanent", "package_refused", { vendorDetail: "webhooks are off" });
    });
    standIn = { ...connectorWithoutHooks(), afterDossierMapped: refusing } as unknown as Connector;
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connectionId = world.connections.exact.id;
    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, { ...mapping, connectionId });
    expect(saved.optionKey).toContain(connectionId);
    expect(refusing).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("afterDossierMapped failed"),
      expect.objectContaining({ connectionId, errorCode: "package_refused" }),
    );

    standIn = {
      ...connectorWithoutHooks(),
      afterDossierMapped: () => new Promise(() => {}),
    } as unknown as Connector;
    const input = { portalId: world.portal.id, connectionId, dossierSettings: { division: 7 } };
    expect(await runAfterDossierMapped(opened.db, input, { timeoutMs: 20 })).toEqual({
      outcome: "failed",
      errorCode: "timeout",
    });
  });

  it("gets, after the connection is saved, the parsed settings of this portal's dossiers mapped to it", async () => {
    // A world of its own: no dossier of the other tests is mapped to its connection.
    const own = await createWorld(opened.db);
    const connection = own.connections.exact;
    const portalId = own.portal.id;
    const afterConnectionSaved = vi.fn(async () => [{ outcome: "done" as const, action: "noted" }]);
    standIn = { ...connectorWithoutHooks(), afterConnectionSaved } as unknown as Connector;
    for (const settings of [{ division: 1 }, { division: "2" }, { division: "not a number" }, {}]) {
      const dossier = await insertDossier(opened.db, portalId);
      await setIntegration(opened.db, dossier, { kind: "connection", connectionId: connection.id, settings });
    }
    // Mapped to another connection: not this one's.
    const elsewhere = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, elsewhere, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: 99 },
    });

    expect(await runAfterConnectionSaved(opened.db, { portalId, connectionId: connection.id })).toEqual([
      { outcome: "done", action: "noted" },
    ]);
    expect(afterConnectionSaved).toHaveBeenCalledWith(expect.anything(), {
      mappedDossierSettings: expect.arrayContaining([{ division: 1 }, { division: 2 }]),
      webhookUrl: null,
      webhookSecret: null,
    });
    const [, input] = afterConnectionSaved.mock.calls[0] as unknown as [unknown, { mappedDossierSettings: unknown[] }];
    expect(input.mappedDossierSettings).toHaveLength(2);
  });
});
