import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, oauthStates, portalMembers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import type { ConnectionDeps } from "@/lib/connections/deps";
import {
  completeAuthorization,
  OAUTH_STATE_TTL_MS,
  OAuthCallbackError,
  type OAuthOutcome,
  startAuthorization,
} from "@/lib/connections/oauth";
import { createConnectorContext } from "@/lib/connections/runtime";
import { createConnection, getConnection, listConnections, updateConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { findPackage } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "./helpers";
import { createOAuthTestConnector, insertUserActor, startFakeOAuthServer, stateOf } from "./oauth-connector";

const ORIGIN = "https://koppel.example";
const CALLBACK = `${ORIGIN}/api/oauth/callback`;
const ENV_NAMES = ["AUTH_URL", "EXACT_ONLINE_CLIENT_ID", "EXACT_ONLINE_CLIENT_SECRET"] as const;

let opened: OpenedDb;
let server: Awaited<ReturnType<typeof startFakeOAuthServer>>;
let portalId = "";
let otherPortalId = "";
let admin: Extract<Actor, { kind: "user" }>;
let secondAdmin: Extract<Actor, { kind: "user" }>;
let accountant: Extract<Actor, { kind: "user" }>;
let otherAdmin: Extract<Actor, { kind: "user" }>;
const { connector, deps } = createOAuthTestConnector();

function clearEnv() {
  for (const name of ENV_NAMES) vi.stubEnv(name, undefined);
  resetEnvCache();
}

beforeAll(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  server = await startFakeOAuthServer();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  admin = await insertUserActor(opened.db, { [portalId]: "admin" });
  secondAdmin = await insertUserActor(opened.db, { [portalId]: "admin" });
  accountant = await insertUserActor(opened.db, { [portalId]: "accountant" });
  otherAdmin = await insertUserActor(opened.db, { [otherPortalId]: "admin" });
});
beforeEach(clearEnv);
afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});
afterAll(async () => {
  await server?.close();
  await opened?.close();
});

/** An Exact-like connection with the office's own OAuth app (client id in settings, secret in secrets). */
async function newConnection(options: { ownApp?: boolean; packageId?: string } = {}) {
  const ownApp = options.ownApp ?? true;
  return createConnection(
    opened.db,
    admin,
    portalId,
    {
      packageId: options.packageId ?? "exact-online",
      channel: "api",
      label: "Exact Online België",
      settings: { baseUrl: server.url, ...(ownApp ? { clientId: "office-app" } : {}) },
      secrets: ownApp ? { clientSecret: "office-app-secret" } : {},
    },
    deps,
  );
}

async function stored(id: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
  if (!row) throw new Error("connection missing");
  return row;
}

async function storedSecrets(id: string) {
  const row = await stored(id);
  return decryptSecrets(row.secretsEncrypted ?? "", connectionSecretsContext(id)) as Record<string, unknown>;
}

async function start(connectionId: string, actor: Actor = admin, now?: Date) {
  const { url } = await startAuthorization(opened.db, actor, portalId, connectionId, { origin: ORIGIN, now }, deps);
  return stateOf(url);
}

/** What a refused callback says (outcome, and the portal it may name). */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthCallbackError) {
      return {
        outcome: error.outcome as OAuthOutcome,
        target: error.target,
        reason: error.reason,
        status: error.httpStatus,
      };
    }
    throw error;
  }
  throw new Error("expected the callback to be refused");
}

/** An authorized connection: started and completed by the admin. */
async function authorizedConnection() {
  const connection = await newConnection();
  const { state } = await start(connection.id);
  await completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps);
  return connection;
}

describe("starting an authorization", () => {
  it("sends the admin to the package with the office's app, the one callback and a random state stored only as its hash", async () => {
    const connection = await newConnection();
    const before = Date.now();
    const { url } = await startAuthorization(opened.db, admin, portalId, connection.id, { origin: ORIGIN }, deps);

    expect(url.startsWith(`${server.url}/auth?`)).toBe(true);
    const { state, redirectUri, clientId } = stateOf(url);
    expect(redirectUri).toBe(CALLBACK);
    expect(clientId).toBe("office-app");
    // 32 random bytes, base64url.
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const rows = await opened.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connection.id));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.stateHash).toBe(createHash("sha256").update(state).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(state);
    expect(row).toMatchObject({
      portalId,
      userId: admin.userId,
      packageId: "exact-online",
      redirectUri: CALLBACK,
      usedAt: null,
    });
    const ttl = (row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0);
    expect(ttl).toBe(OAUTH_STATE_TTL_MS);
    expect(row?.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // Each start is a new state.
    const again = await start(connection.id);
    expect(again.state).not.toBe(state);
  });

  it("builds the callback on AUTH_URL when it is set, whatever the request's origin", async () => {
    vi.stubEnv("AUTH_URL", "https://app.koppel.example/api/auth");
    resetEnvCache();
    const connection = await newConnection();
    const { redirectUri } = await start(connection.id);
    expect(redirectUri).toBe("https://app.koppel.example/api/oauth/callback");
  });

  it("uses the deployment's app when the connection has none, and says what to configure when neither exists", async () => {
    const connection = await newConnection({ ownApp: false });
    const refused = await startAuthorization(opened.db, admin, portalId, connection.id, { origin: ORIGIN }, deps).catch(
      (error: unknown) => error,
    );
    // The person is told which package; the variables to set go to the operator's log only.
    expect(refused).toMatchObject({
      code: "conflict",
      messageKey: "oauthAppMissing",
      messageValues: { package: "Exact Online" },
    });
    expect(await opened.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connection.id))).toEqual([]);

    vi.stubEnv("EXACT_ONLINE_CLIENT_ID", "deployment-app");
    vi.stubEnv("EXACT_ONLINE_CLIENT_SECRET", "deployment-secret");
    resetEnvCache();
    expect((await start(connection.id)).clientId).toBe("deployment-app");
  });

  it("is for the portal's admins only, and for people (a consent screen needs a browser)", async () => {
    const connection = await newConnection();
    const startAs = (actor: Actor, portal = portalId) =>
      startAuthorization(opened.db, actor, portal, connection.id, { origin: ORIGIN }, deps);
    await expect(startAs(accountant)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(startAs(otherAdmin)).rejects.toBeInstanceOf(NotFoundError);
    // An admin of another portal naming this connection under their own portal: not found.
    await expect(startAs(otherAdmin, otherPortalId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      startAs({
        kind: "token",
        tokenId: "00000000-0000-4000-8000-000000000000",
        portalId,
        role: "admin",
        scopes: API_SCOPES,
      }),
    ).rejects.toMatchObject({ messageKey: "oauthNeedsPerson" });
    expect(await opened.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connection.id))).toEqual([]);
  });

  it("does not show the portal to an entrepreneur, and refuses an accountant's token and the system", async () => {
    const connection = await newConnection();
    const startAs = (actor: Actor) =>
      startAuthorization(opened.db, actor, portalId, connection.id, { origin: ORIGIN }, deps);
    const dossier = await insertDossier(opened.db, portalId);
    const entrepreneur: Actor = { ...(await insertUserActor(opened.db, {})), dossiers: { [dossier.id]: portalId } };
    await expect(startAs(entrepreneur)).rejects.toBeInstanceOf(NotFoundError);
    // An accountant's token lacks the role before anything else: the generic refusal.
    await expect(
      startAs({
        kind: "token",
        tokenId: "00000000-0000-4000-8000-000000000001",
        portalId,
        role: "accountant",
        scopes: API_SCOPES,
      }),
    ).rejects.toMatchObject({ code: "forbidden", messageKey: "forbidden" });
    await expect(startAs({ kind: "system", reason: "test" })).rejects.toMatchObject({
      code: "forbidden",
      messageKey: "oauthNeedsPerson",
    });
    expect(await opened.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connection.id))).toEqual([]);
  });

  it("refuses connections whose connector has no OAuth", async () => {
    const connection = await newConnection();
    const { oauth: _oauth, ...withoutOAuth } = connector;
    const plainDeps: ConnectionDeps = { ...deps, loadConnector: async () => withoutOAuth as unknown as Connector };
    await expect(
      startAuthorization(opened.db, admin, portalId, connection.id, { origin: ORIGIN }, plainDeps),
    ).rejects.toMatchObject({ messageKey: "oauthUnsupported" });
  });
});

describe("completing an authorization", () => {
  it("stores the tokens encrypted with the grant's expiry, marks the connection connected and checks it", async () => {
    const connection = await newConnection();
    // A connection that needed re-authorisation: the new grant clears that.
    await opened.db
      .update(connections)
      .set({ status: "needs_reauth", lastErrorCode: "auth_failed", lastErrorAt: new Date() })
      .where(eq(connections.id, connection.id));
    const { state } = await start(connection.id);
    const code = server.issueCode();
    const exchangesBefore = server.exchanges.length;

    const result = await completeAuthorization(opened.db, admin, { state, code }, deps);

    expect(result.outcome).toBe("connected");
    expect(result.target).toEqual({ portalId, connectionId: connection.id });
    expect(result.check.status).toBe("connected");
    expect(server.exchanges.slice(exchangesBefore)).toEqual([
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        client_id: "office-app",
        client_secret: "office-app-secret",
      },
    ]);

    const row = await stored(connection.id);
    expect(row.status).toBe("connected");
    expect(row.lastErrorCode).toBeNull();
    expect(row.lastErrorAt).toBeNull();
    expect(row.lastSuccessAt).not.toBeNull();
    const secrets = await storedSecrets(connection.id);
    expect(secrets).toMatchObject({ clientSecret: "office-app-secret" });
    expect(String(secrets.accessToken)).toMatch(/^at-/);
    expect(String(secrets.refreshToken)).toMatch(/^rt-/);
    expect(row.secretsEncrypted).not.toContain(String(secrets.refreshToken));
    expect(row.credentialsExpireAt?.toISOString()).toBe(secrets.grantExpiresAt);

    const [state2] = await opened.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connection.id));
    expect(state2?.usedAt).not.toBeNull();
  });

  it("lets a state be used once", async () => {
    const connection = await newConnection();
    const { state } = await start(connection.id);
    await completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps);
    const exchangesBefore = server.exchanges.length;
    const second = await refusal(completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps));
    expect(second).toMatchObject({ outcome: "used", target: { portalId, connectionId: connection.id } });
    expect(server.exchanges.length).toBe(exchangesBefore);
  });

  it("lets exactly one of two concurrent callbacks with the same state through", async () => {
    const connection = await newConnection();
    const { state } = await start(connection.id);
    const exchangesBefore = server.exchanges.length;
    const results = await Promise.allSettled([
      completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps),
      completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps),
    ]);
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    const rejected = results.filter((result) => result.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ outcome: "used" });
    expect(server.exchanges.length - exchangesBefore).toBe(1);
  });

  it("refuses an expired state", async () => {
    const connection = await newConnection();
    const startedAt = new Date(Date.now() - OAUTH_STATE_TTL_MS - 1_000);
    const { state } = await start(connection.id, admin, startedAt);
    const exchangesBefore = server.exchanges.length;
    const refused = await refusal(completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps));
    expect(refused).toMatchObject({ outcome: "expired", target: { portalId, connectionId: connection.id } });
    expect(server.exchanges.length).toBe(exchangesBefore);
    expect(await storedSecrets(connection.id)).toEqual({ clientSecret: "office-app-secret" });
    expect((await stored(connection.id)).status).toBe("not_checked");
  });

  it("refuses a state started by someone else, without spending it", async () => {
    const connection = await newConnection();
    const { state } = await start(connection.id);
    const byColleague = await refusal(
      completeAuthorization(opened.db, secondAdmin, { state, code: server.issueCode() }, deps),
    );
    expect(byColleague).toMatchObject({ outcome: "otherUser", status: 403 });
    // The colleague may see the portal, so the callback may send them back to it.
    expect(byColleague.target).toEqual({ portalId, connectionId: connection.id });
    // Someone outside the portal is not even told which portal it was.
    const byStranger = await refusal(
      completeAuthorization(opened.db, otherAdmin, { state, code: server.issueCode() }, deps),
    );
    expect(byStranger).toMatchObject({ outcome: "otherUser", target: null });

    expect((await completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps)).outcome).toBe(
      "connected",
    );
  });

  it("re-checks the role: an admin who became an accountant meanwhile is refused and nothing is exchanged", async () => {
    const demoted = await insertUserActor(opened.db, { [portalId]: "admin" });
    const connection = await newConnection();
    const { state } = await start(connection.id, demoted);
    await opened.db.update(portalMembers).set({ role: "accountant" }).where(eq(portalMembers.userId, demoted.userId));
    const asAccountant: Actor = { ...demoted, portalRoles: { [portalId]: "accountant" } };
    const exchangesBefore = server.exchanges.length;

    const refused = await refusal(
      completeAuthorization(opened.db, asAccountant, { state, code: server.issueCode() }, deps),
    );
    expect(refused).toMatchObject({ outcome: "forbidden", status: 403 });
    expect(refused.target).toEqual({ portalId, connectionId: connection.id });
    expect(server.exchanges.length).toBe(exchangesBefore);
    expect((await stored(connection.id)).status).toBe("not_checked");
    expect((await storedSecrets(connection.id)).accessToken).toBeUndefined();
  });

  it("answers 404 to a user who is no longer in the state's portal", async () => {
    const leaver = await insertUserActor(opened.db, { [portalId]: "admin" });
    const connection = await newConnection();
    const { state } = await start(connection.id, leaver);
    const outside: Actor = { ...leaver, portalRoles: { [otherPortalId]: "admin" } };
    const refused = await refusal(completeAuthorization(opened.db, outside, { state, code: server.issueCode() }, deps));
    expect(refused).toMatchObject({ outcome: "notFound", status: 404, target: null });
    expect((await storedSecrets(connection.id)).accessToken).toBeUndefined();
  });

  it("refuses a state nobody started", async () => {
    const refused = await refusal(
      completeAuthorization(opened.db, admin, { state: "made-up-state", code: server.issueCode() }, deps),
    );
    expect(refused).toMatchObject({ outcome: "unknownState", status: 404, target: null });
    expect(await refusal(completeAuthorization(opened.db, admin, { code: "x" }, deps))).toMatchObject({
      outcome: "unknownState",
    });
  });

  it("says the admin declined when the package answers access_denied, and changes nothing", async () => {
    const connection = await authorizedConnection();
    const before = await stored(connection.id);
    const { state } = await start(connection.id);
    const refused = await refusal(completeAuthorization(opened.db, admin, { state, error: "access_denied" }, deps));
    expect(refused).toMatchObject({ outcome: "declined", target: { portalId, connectionId: connection.id } });
    const after = await stored(connection.id);
    expect(after.secretsEncrypted).toBe(before.secretsEncrypted);
    expect(after.status).toBe(before.status);
    // The state is spent all the same.
    expect(
      await refusal(completeAuthorization(opened.db, admin, { state, code: server.issueCode() }, deps)),
    ).toMatchObject({ outcome: "used" });
    // Any other vendor error is a plain "the package refused".
    const other = await start(connection.id);
    expect(
      await refusal(completeAuthorization(opened.db, admin, { state: other.state, error: "server_error" }, deps)),
    ).toMatchObject({ outcome: "vendorError" });
  });

  it("stores nothing when the exchange fails and marks the connection needs_reauth with the error's code", async () => {
    const connection = await authorizedConnection();
    const before = await stored(connection.id);
    expect(before.status).toBe("connected");

    const { state } = await start(connection.id);
    // A code the package never issued (or already redeemed): refused.
    const refused = await refusal(completeAuthorization(opened.db, admin, { state, code: "stale-code" }, deps));
    expect(refused).toMatchObject({ outcome: "exchangeFailed", reason: "auth_failed" });
    const after = await stored(connection.id);
    expect(after.secretsEncrypted).toBe(before.secretsEncrypted);
    expect(after.credentialsExpireAt).toEqual(before.credentialsExpireAt);
    expect(after).toMatchObject({ status: "needs_reauth", lastErrorCode: "auth_failed" });

    // A package in trouble: the same, with its own code.
    const again = await start(connection.id);
    server.failNextExchangeWith({ status: 503, body: { error: "unavailable" } });
    expect(
      await refusal(completeAuthorization(opened.db, admin, { state: again.state, code: server.issueCode() }, deps)),
    ).toMatchObject({ outcome: "exchangeFailed", reason: "server_error" });
    expect(await stored(connection.id)).toMatchObject({
      status: "needs_reauth",
      lastErrorCode: "server_error",
      secretsEncrypted: before.secretsEncrypted,
    });
  });
});

describe("the connection's view and form with OAuth", () => {
  it("shows whether the connection is authorised and when the grant would expire, to accountants too", async () => {
    const fresh = await newConnection();
    const authorised = await authorizedConnection();
    const views = await listConnections(opened.db, accountant, portalId, deps);
    const freshView = views.find((view) => view.id === fresh.id);
    const authorisedView = views.find((view) => view.id === authorised.id);
    expect(freshView?.oauth).toEqual({ isAuthorised: false, expiresAt: null });
    expect(authorisedView?.oauth).toEqual({
      isAuthorised: true,
      expiresAt: (await stored(authorised.id)).credentialsExpireAt,
    });
    // Tokens are not form fields: only the typed client secret has a "set" flag.
    expect(authorisedView?.secretsSet).toEqual({ clientSecret: true });
    expect(JSON.stringify(authorisedView)).not.toMatch(/at-|rt-/);
  });

  it("keeps the tokens when the admin saves a new client secret, the label or the same settings", async () => {
    const connection = await authorizedConnection();
    const tokens = await storedSecrets(connection.id);
    const expiresAt = (await stored(connection.id)).credentialsExpireAt;

    await updateConnection(opened.db, admin, portalId, connection.id, { secrets: { clientSecret: "rotated" } }, deps);
    await updateConnection(opened.db, admin, portalId, connection.id, { label: "Exact BE" }, deps);
    // The form posts every setting again, as strings; the same meaning keeps the grant.
    await updateConnection(
      opened.db,
      admin,
      portalId,
      connection.id,
      { settings: { baseUrl: server.url, region: "be", clientId: " office-app " } },
      deps,
    );

    expect(await storedSecrets(connection.id)).toEqual({ ...tokens, clientSecret: "rotated" });
    expect((await stored(connection.id)).credentialsExpireAt).toEqual(expiresAt);
    const view = await getConnection(opened.db, admin, portalId, connection.id, deps);
    expect(view.oauth?.isAuthorised).toBe(true);
  });

  it("drops the grant when settings change what it was given for (region, host, app)", async () => {
    for (const settings of [
      { baseUrl: server.url, clientId: "office-app", region: "nl" },
      { baseUrl: `${server.url}/other`, clientId: "office-app" },
      { baseUrl: server.url, clientId: "another-app" },
    ]) {
      const connection = await authorizedConnection();
      const view = await updateConnection(opened.db, admin, portalId, connection.id, { settings }, deps);
      expect(await storedSecrets(connection.id)).toEqual({ clientSecret: "office-app-secret" });
      expect((await stored(connection.id)).credentialsExpireAt).toBeNull();
      expect(view.oauth).toEqual({ isAuthorised: false, expiresAt: null });
      expect(view.status).toBe("not_checked");
    }
  });

  it("never takes tokens from a form or the API", async () => {
    const connection = await createConnection(
      opened.db,
      admin,
      portalId,
      {
        packageId: "exact-online",
        channel: "api",
        label: "Injected",
        settings: { baseUrl: server.url },
        secrets: { accessToken: "typed-token", refreshToken: "typed-refresh" },
      },
      deps,
    );
    expect(await storedSecrets(connection.id)).toEqual({});
    await updateConnection(opened.db, admin, portalId, connection.id, { secrets: { refreshToken: "typed" } }, deps);
    expect(await storedSecrets(connection.id)).toEqual({});
  });
});

describe("the runtime's rotation for OAuth connectors", () => {
  function contextFor(row: Awaited<ReturnType<typeof stored>>) {
    const packageEntry = findPackage("exact-online");
    if (!packageEntry) throw new Error("exact-online missing from the catalog");
    return createConnectorContext({
      db: opened.db,
      connector: connector as unknown as Connector,
      packageEntry,
      connection: row,
      dossier: null,
      dossierSettings: null,
      idempotencyKey: "test",
      timeoutMs: 5_000,
    });
  }

  it("moves credentials_expire_at with the rotated grant", async () => {
    const connection = await authorizedConnection();
    const row = await stored(connection.id);
    const later = new Date(Date.now() + 40 * 24 * 60 * 60_000).toISOString();
    await contextFor(row).rotateSecrets(async (latest) => ({ ...(latest as object), grantExpiresAt: later }));
    expect((await stored(connection.id)).credentialsExpireAt?.toISOString()).toBe(later);
  });

  it("leaves the stored secrets and expiry untouched when a rotation ends in an auth error", async () => {
    const connection = await authorizedConnection();
    const before = await stored(connection.id);
    server.revokeAll();
    const ctx = contextFor(before);
    await expect(
      ctx.rotateSecrets(async () => {
        throw new ConnectorError("auth", "auth_failed", { vendorDetail: "invalid_grant" });
      }),
    ).rejects.toMatchObject({ kind: "auth", code: "auth_failed" });
    // Through the connector's own keep-alive too (the fake refuses the revoked refresh token).
    await expect(connector.oauth.keepAlive(ctx as never)).rejects.toMatchObject({ kind: "auth" });
    const after = await stored(connection.id);
    expect(after.secretsEncrypted).toBe(before.secretsEncrypted);
    expect(after.credentialsExpireAt).toEqual(before.credentialsExpireAt);
  });
});
