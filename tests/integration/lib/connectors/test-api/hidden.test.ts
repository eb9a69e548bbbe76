import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { runConnectionCheck } from "@/lib/connections/check";
import { createConnection, listConnectionOptions } from "@/lib/connections/service";
import { loadConnector } from "@/lib/connectors/registry";
import { resetEnvCache } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { listIntegrationOptions } from "@/lib/integrations/options";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { emailPackages, findPackage, isPackageId, listPackages } from "@/lib/packages/catalog";
import { findWebhookReceiver } from "@/lib/read-back/webhook";
import { createTestDb } from "../../../../helpers/db";
import { useTestEncryptionKey } from "../../connections/helpers";
import { createWorld, insertConnectionOf, type World } from "../../integrations/setup";

/**
 * A deployment's view of the Test API (a test-only package): this file never enables test-only
 * packages, as no deployment can, so the process is in the state a real portal sees. The package is
 * in no list, no service takes its id, and a row that names it anyway (none can be created) leads
 * nowhere.
 */

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  useTestEncryptionKey();
  vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
  resetEnvCache();
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await opened?.close();
});

describe("a test-only package, for a deployment", () => {
  it("is in no list of the catalog and no lookup finds it", () => {
    expect(listPackages().length).toBeGreaterThan(0);
    expect(listPackages().some((entry) => entry.id === "test-api" || entry.isTestOnly)).toBe(false);
    expect(emailPackages().some((entry) => entry.isTestOnly)).toBe(false);
    expect(findPackage("test-api")).toBeUndefined();
    expect(isPackageId("test-api")).toBe(false);
  });

  it("is not among the connections an admin can add, and a real portal cannot create one", async () => {
    const options = await listConnectionOptions(world.actors.admin, world.portal.id);
    expect(options.length).toBeGreaterThan(0);
    expect(options.some((option) => option.packageId === "test-api")).toBe(false);

    const created = createConnection(opened.db, world.actors.admin, world.portal.id, {
      packageId: "test-api",
      channel: "api",
      label: "Test API",
      settings: { baseUrl: "http://127.0.0.1:9" },
      secrets: { apiKey: "test-api-key-0001" },
    });
    await expect(created).rejects.toBeInstanceOf(ValidationError);
    await expect(created).rejects.toMatchObject({ fieldErrors: { packageId: ["packageUnknown"] } });
  });

  it("has no connector, no webhook route, and a row that names it can be neither checked nor chosen", async () => {
    await expect(loadConnector("test-api", "api")).rejects.toThrow(/unknown package/);
    expect(await findWebhookReceiver("test-api")).toBeNull();

    // No service creates such a row; one written by hand stands for data from elsewhere.
    const row = await insertConnectionOf(opened.db, world.portal.id, { packageId: "test-api", label: "Test API" });
    expect(await runConnectionCheck(opened.db, world.actors.admin, row.id)).toMatchObject({
      status: "error",
      errorCode: "connector_unavailable",
    });
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    expect(options.find((option) => option.kind === "connection" && option.connectionId === row.id)).toMatchObject({
      isAvailable: false,
      fields: [],
    });
    await expect(
      saveDossierIntegration(opened.db, world.actors.accountant, world.dossier.id, {
        kind: "connection",
        connectionId: row.id,
        settings: { ledgerId: "LEDGER-1" },
      }),
    ).rejects.toMatchObject({ fieldErrors: { connectionId: ["integrations.errors.connectorUnavailable"] } });
  });
});
