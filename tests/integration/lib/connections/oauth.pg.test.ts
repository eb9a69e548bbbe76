import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { completeAuthorization, startAuthorization } from "@/lib/connections/oauth";
import { createConnectorContext } from "@/lib/connections/runtime";
import { createConnection } from "@/lib/connections/service";
import type { Connector, ConnectorContext } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets } from "@/lib/crypto/secrets";
import { findPackage } from "@/lib/packages/catalog";
import { createTestDb, queryRows } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "./helpers";
import {
  createOAuthTestConnector,
  insertUserActor,
  type oauthSecretsSchema,
  refreshGrant,
  startFakeOAuthServer,
  stateOf,
} from "./oauth-connector";

// Races that only real PostgreSQL can show: PGlite runs one statement and one transaction at a
// time, so there the two sides could never overlap. Runs when TEST_DATABASE_URL is set.

type Secrets = import("zod").infer<typeof oauthSecretsSchema>;

let opened: OpenedDb;
let server: Awaited<ReturnType<typeof startFakeOAuthServer>>;
let portalId = "";
let admin: Extract<Actor, { kind: "user" }>;
const { connector, deps } = createOAuthTestConnector();

beforeAll(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  server = await startFakeOAuthServer();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  admin = await insertUserActor(opened.db, { [portalId]: "admin" });
});
afterAll(async () => {
  await server?.close();
  await opened?.close();
});

async function authorizedConnection() {
  const connection = await createConnection(
    opened.db,
    admin,
    portalId,
    {
      packageId: "exact-online",
      channel: "api",
      label: "Exact Online",
      settings: { baseUrl: server.url, clientId: "office-app" },
      secrets: { clientSecret: "office-app-secret" },
    },
    deps,
  );
  const { url } = await startAuthorization(
    opened.db,
    admin,
    portalId,
    connection.id,
    { origin: "https://k.example" },
    deps,
  );
  await completeAuthorization(opened.db, admin, { state: stateOf(url).state, code: server.issueCode() }, deps);
  return connection;
}

async function storedRow(id: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
  if (!row) throw new Error("connection missing");
  return row;
}

/** Waits until some other session is blocked on a row lock (the second rotation's FOR UPDATE). */
async function untilSomeoneWaitsForALock() {
  for (let tries = 0; tries < 200; tries++) {
    const rows = await queryRows<{ waiting: number }>(
      opened.db,
      sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the second rotation never waited for the first one's lock");
}

describe("OAuth races on PostgreSQL", () => {
  it("lets exactly one of two concurrent callbacks with the same state redeem it", async () => {
    const connection = await createConnection(
      opened.db,
      admin,
      portalId,
      {
        packageId: "exact-online",
        channel: "api",
        label: "Race",
        settings: { baseUrl: server.url, clientId: "office-app" },
        secrets: { clientSecret: "office-app-secret" },
      },
      deps,
    );
    const { url } = await startAuthorization(
      opened.db,
      admin,
      portalId,
      connection.id,
      { origin: "https://k.example" },
      deps,
    );
    const { state } = stateOf(url);
    const exchangesBefore = server.exchanges.length;
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps),
      ),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results.filter((result) => result.status === "rejected")) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ outcome: "used" });
    }
    expect(server.exchanges.length - exchangesBefore).toBe(1);
  });

  it("serialises two concurrent rotations: the second sees the first one's tokens and refreshes nothing", async () => {
    const connection = await authorizedConnection();
    const row = await storedRow(connection.id);
    const packageEntry = findPackage("exact-online");
    if (!packageEntry) throw new Error("exact-online missing from the catalog");
    // Two jobs that loaded the connection at the same moment: both hold the same refresh token.
    const contextOf = () =>
      createConnectorContext({
        db: opened.db,
        connector: connector as unknown as Connector,
        packageEntry,
        connection: row,
        dossier: null,
        dossierSettings: null,
        idempotencyKey: "race",
        timeoutMs: 10_000,
      }) as unknown as ConnectorContext<{ baseUrl: string }, Secrets, unknown>;
    const first = contextOf();
    const second = contextOf();
    expect(second.secrets.refreshToken).toBe(first.secrets.refreshToken);

    const seenBySecond: Secrets[] = [];
    // What a connector does before a call: refresh only if nobody did since it loaded the secrets.
    const refreshUnlessDone = (ctx: typeof first, seen?: Secrets[]) =>
      ctx.rotateSecrets(async (latest) => {
        seen?.push(latest);
        if (latest.refreshToken !== ctx.secrets.refreshToken) return null;
        const app = ctx.oauthApp;
        if (!app) throw new Error("no app");
        return refreshGrant(ctx.settings.baseUrl, latest, app, ctx.signal);
      });

    const refreshesBefore = server.refreshes.length;
    const hold = server.holdRefreshes();
    const firstDone = refreshUnlessDone(first);
    await hold.arrived;
    const secondDone = refreshUnlessDone(second, seenBySecond);
    await untilSomeoneWaitsForALock();
    hold.release();
    const [afterFirst, afterSecond] = await Promise.all([firstDone, secondDone]);

    expect(server.refreshes.length - refreshesBefore).toBe(1);
    expect(afterFirst.refreshToken).not.toBe(first.secrets.refreshToken);
    expect(seenBySecond).toEqual([afterFirst]);
    expect(afterSecond).toEqual(afterFirst);
    const stored = await storedRow(connection.id);
    expect(decryptSecrets(stored.secretsEncrypted ?? "", connectionSecretsContext(connection.id))).toEqual(afterFirst);
    expect(stored.credentialsExpireAt?.toISOString()).toBe(afterFirst.grantExpiresAt);
  });
});
