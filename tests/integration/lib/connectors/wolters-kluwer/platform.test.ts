import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { completeAuthorization, keepAliveConnection, startAuthorization } from "@/lib/connections/oauth";
import { createConnectorContext } from "@/lib/connections/runtime";
import { createConnection, getConnection } from "@/lib/connections/service";
import { loadConnector } from "@/lib/connectors/registry";
import { resetEnvCache } from "@/lib/env";
import { findPackage } from "@/lib/packages/catalog";
import { type FakeWoltersKluwer, startFakeWoltersKluwer } from "../../../../fakes/wolters-kluwer";
import { createTestDb } from "../../../../helpers/db";
import { insertPortal } from "../../../../helpers/fixtures";
import { useTestEncryptionKey } from "../../connections/helpers";
import { insertUserActor } from "../../connections/oauth-connector";
import { ADMINISTRATION_ID, DOSSIER, documentFor, pdfBytes } from "./helpers";

/**
 * Wolters Kluwer through the real platform: the registry's connector, a connection created by an
 * admin without an app of its own (the deployment's WOLTERS_KLUWER_CLIENT_ID/SECRET), the OAuth
 * start and callback against the fake's login, the encrypted grant on the row, a delivery through
 * the runtime's context (row lock for refreshes), and the keep-alive job's refresh.
 */

let opened: OpenedDb;
let fake: FakeWoltersKluwer;
let portalId = "";
let admin: Extract<Actor, { kind: "user" }>;
const ORIGIN = "https://koppel.example";

beforeAll(async () => {
  useTestEncryptionKey();
  fake = await startFakeWoltersKluwer({ autoApprove: true });
  vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
  vi.stubEnv("WOLTERS_KLUWER_CLIENT_ID", fake.clientId);
  vi.stubEnv("WOLTERS_KLUWER_CLIENT_SECRET", fake.clientSecret);
  vi.stubEnv("AUTH_URL", ORIGIN);
  resetEnvCache();
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db, "Kantoor WK")).id;
  admin = await insertUserActor(opened.db, { [portalId]: "admin" });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await fake?.close();
  await opened?.close();
});

describe("Wolters Kluwer on the platform", () => {
  it("connects with the deployment's app, delivers through the runtime, and keeps the grant alive", async () => {
    const created = await createConnection(opened.db, admin, portalId, {
      packageId: "wolters-kluwer",
      channel: "api",
      label: "Adsolut",
      settings: { baseUrl: fake.url, loginUrl: fake.url },
      secrets: {},
    });
    expect(created).toMatchObject({ isConnectorAvailable: true });

    const { url } = await startAuthorization(opened.db, admin, portalId, created.id, { origin: ORIGIN });
    expect(new URL(url).searchParams.get("client_id")).toBe(fake.clientId);
    const redirect = await fetch(url, { redirect: "manual" });
    const callback = new URL(redirect.headers.get("location") ?? "");
    const completion = await completeAuthorization(opened.db, admin, {
      state: callback.searchParams.get("state"),
      code: callback.searchParams.get("code"),
    });
    expect(completion.outcome).toBe("connected");
    expect(fake.counts.codeExchanges).toBe(1);
    expect(await getConnection(opened.db, admin, portalId, created.id)).toMatchObject({ status: "connected" });

    const connector = await loadConnector("wolters-kluwer", "api");
    const packageEntry = findPackage("wolters-kluwer");
    if (!connector || !packageEntry) throw new Error("no Wolters Kluwer connector");
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, created.id));
    if (!row) throw new Error("connection missing");
    const ctx = createConnectorContext({
      db: opened.db,
      connector,
      packageEntry,
      connection: {
        id: row.id,
        portalId: row.portalId,
        settings: row.settings,
        secretsEncrypted: row.secretsEncrypted,
      },
      dossier: DOSSIER,
      dossierSettings: { administrationId: ADMINISTRATION_ID },
      idempotencyKey: randomUUID(),
      timeoutMs: 20_000,
    });
    const receipt = await connector.deliver(ctx, documentFor(), { content: pdfBytes() });
    expect(receipt.packageReference).toBe(fake.documents(ADMINISTRATION_ID)[0]?.id);

    const refreshesBefore = fake.counts.refreshes;
    await keepAliveConnection(opened.db, created.id);
    expect(fake.counts.refreshes).toBe(refreshesBefore + 1);
  });
});
