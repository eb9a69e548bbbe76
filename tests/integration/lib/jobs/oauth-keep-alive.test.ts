import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb, type OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import type { ConnectionDeps } from "@/lib/connections/deps";
import { keepAliveConnection, listConnectionsDueForKeepAlive } from "@/lib/connections/oauth";
import { storeConnectionSecrets } from "@/lib/connections/runtime";
import type { Connector } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { getLocalJobDriver, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { createTestDb } from "@/tests/helpers/db";
import { insertPortal } from "@/tests/helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { createOAuthTestConnector, startFakeOAuthServer } from "../connections/oauth-connector";

// The oauth-keep-alive cron on the in-process driver, against the test OAuth package's real token
// endpoint: only the database handle and the registry (which has no OAuth connector of its own
// yet) are stand-ins.

const testConnector = vi.hoisted(() => ({ current: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db")>()), getDb: vi.fn() }));
vi.mock("@/lib/connectors/registry", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/connectors/registry")>()),
  loadConnector: vi.fn(async (_packageId: string, channel: string) =>
    channel === "api" ? testConnector.current : null,
  ),
}));

const DAY_MS = 24 * 60 * 60_000;

let opened: OpenedDb;
let server: Awaited<ReturnType<typeof startFakeOAuthServer>>;
let portalId = "";
const { connector, deps, calls } = createOAuthTestConnector();
testConnector.current = connector;

beforeAll(async () => {
  for (const name of ["INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"]) vi.stubEnv(name, undefined);
  resetEnvCache();
  useTestEncryptionKey();
  opened = await createTestDb();
  vi.mocked(getDb).mockResolvedValue(opened.db);
  server = await startFakeOAuthServer();
  portalId = (await insertPortal(opened.db)).id;
});
beforeEach(async () => {
  // Each test looks at its own connections only.
  await opened.db.delete(connections).where(eq(connections.portalId, portalId));
});
afterAll(async () => {
  await stopLocalJobDriver();
  await server?.close();
  await opened?.close();
  vi.unstubAllEnvs();
  resetEnvCache();
});

/**
 * An authorised connection whose grant dies at `expiresAt` (null: no grant stored yet), of the
 * given package and status.
 */
async function connectionExpiring(
  expiresAt: Date | null,
  values: {
    status?: "connected" | "disabled" | "needs_reauth" | "error";
    packageId?: string;
    channel?: "api" | "ftp";
  } = {},
) {
  const [row] = await opened.db
    .insert(connections)
    .values({
      portalId,
      packageId: values.packageId ?? "exact-online",
      channel: values.channel ?? "api",
      label: "Exact",
      settings: { baseUrl: server.url, clientId: "office-app" },
      status: values.status ?? "connected",
    })
    .returning();
  if (!row) throw new Error("connection not inserted");
  const grant = server.issueGrant();
  await storeConnectionSecrets(opened.db, connector as unknown as Connector, row, {
    clientSecret: "office-app-secret",
    ...(expiresAt
      ? { accessToken: grant.access_token, refreshToken: grant.refresh_token, grantExpiresAt: expiresAt.toISOString() }
      : {}),
  });
  return stored(row.id);
}

async function stored(id: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
  if (!row) throw new Error("connection missing");
  return row;
}

describe("which grants the keep-alive uses", () => {
  it("picks grants that die within ten days (or already did), soonest first, of connections neither disabled nor awaiting re-authorisation", async () => {
    const now = new Date("2025-06-01T03:17:00Z");
    const inNineDays = await connectionExpiring(new Date(now.getTime() + 9 * DAY_MS));
    const tomorrow = await connectionExpiring(new Date(now.getTime() + DAY_MS));
    const lapsed = await connectionExpiring(new Date(now.getTime() - DAY_MS));
    await connectionExpiring(new Date(now.getTime() + 11 * DAY_MS));
    await connectionExpiring(null);
    await connectionExpiring(new Date(now.getTime() + DAY_MS), { status: "disabled" });
    await connectionExpiring(new Date(now.getTime() + DAY_MS), { status: "needs_reauth" });
    // A package whose connector has no OAuth is none of this job's business.
    const plainDeps: ConnectionDeps = {
      loadConnector: async (packageId, channel) =>
        packageId === "yuki"
          ? ({ ...connector, oauth: undefined } as unknown as Connector)
          : deps.loadConnector(packageId, channel),
    };
    await connectionExpiring(new Date(now.getTime() + DAY_MS), { packageId: "yuki" });

    const due = await listConnectionsDueForKeepAlive(opened.db, now, plainDeps);
    expect(due).toEqual([lapsed, tomorrow, inNineDays].map((row) => ({ id: row.id, portalId })));
  });
});

describe("keeping one grant alive", () => {
  it("rotates the grant and moves its expiry on", async () => {
    const soon = new Date(Date.now() + 2 * DAY_MS);
    const row = await connectionExpiring(soon);
    const refreshesBefore = server.refreshes.length;

    expect(await keepAliveConnection(opened.db, row.id, deps)).toEqual({ outcome: "kept_alive" });

    expect(server.refreshes.length - refreshesBefore).toBe(1);
    const after = await stored(row.id);
    expect(after.status).toBe("connected");
    expect(after.credentialsExpireAt?.getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
    const secrets = decryptSecrets(after.secretsEncrypted ?? "", connectionSecretsContext(row.id)) as Record<
      string,
      string
    >;
    expect(secrets.refreshToken).not.toBe(
      (decryptSecrets(row.secretsEncrypted ?? "", connectionSecretsContext(row.id)) as Record<string, string>)
        .refreshToken,
    );
  });

  it("marks the connection needs_reauth when the package refuses the grant, and keeps the stored secrets", async () => {
    const row = await connectionExpiring(new Date(Date.now() + DAY_MS));
    const before = await stored(row.id);
    server.revokeAll();

    expect(await keepAliveConnection(opened.db, row.id, deps)).toMatchObject({
      outcome: "needs_reauth",
      errorCode: "auth_failed",
    });
    const after = await stored(row.id);
    expect(after).toMatchObject({ status: "needs_reauth", lastErrorCode: "auth_failed" });
    expect(after.secretsEncrypted).toBe(before.secretsEncrypted);
    expect(after.credentialsExpireAt).toEqual(before.credentialsExpireAt);
  });

  it("changes nothing when the package is unreachable: the next day tries again", async () => {
    const row = await connectionExpiring(new Date(Date.now() + DAY_MS));
    const before = await stored(row.id);
    // A token endpoint that went away: the refresh fails on the network.
    const gone = await startFakeOAuthServer();
    await gone.close();
    await opened.db
      .update(connections)
      .set({ settings: { baseUrl: gone.url, clientId: "office-app" } })
      .where(eq(connections.id, row.id));

    expect(await keepAliveConnection(opened.db, row.id, deps)).toMatchObject({
      outcome: "failed",
      errorCode: "network",
    });
    const after = await stored(row.id);
    expect(after.status).toBe("connected");
    expect(after.secretsEncrypted).toBe(before.secretsEncrypted);
  });
});

describe("the oauth-keep-alive cron on the in-process driver", () => {
  it("runs daily at 03:17 and keeps every due grant alive", async () => {
    const first = await connectionExpiring(new Date(Date.now() + DAY_MS));
    const second = await connectionExpiring(new Date(Date.now() + 3 * DAY_MS));
    const later = await connectionExpiring(new Date(Date.now() + 20 * DAY_MS));
    const keepAlivesBefore = calls.keepAlive;

    const driver = await getLocalJobDriver();
    driver.tick(new Date("2025-06-02T03:16:00Z"));
    await driver.idle();
    expect(calls.keepAlive).toBe(keepAlivesBefore);

    driver.tick(new Date("2025-06-02T03:17:00Z"));
    await driver.idle();
    expect(calls.keepAlive - keepAlivesBefore).toBe(2);
    for (const row of [first, second]) {
      expect((await stored(row.id)).credentialsExpireAt?.getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
    }
    expect(later.credentialsExpireAt).not.toBeNull();
    expect((await stored(later.id)).credentialsExpireAt).toEqual(later.credentialsExpireAt);
  });
});
