import * as oauth from "oauth4webapi";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import { type AnswerRules, sendRequest } from "@/lib/connectors/transports/http";
import {
  BearerSession,
  exchangeAuthorizationCode,
  type GrantSecrets,
  isAccessTokenFresh,
  refreshAccessToken,
  type TokenEndpoint,
  tokenRequestOptions,
} from "@/lib/connectors/transports/oauth2";
import { closedPortUrl, type LocalServer, type SeenRequest, sendJson, startLocalServer } from "./local-server";

const NOW = Date.parse("2026-03-02T09:00:00Z");
const now = () => NOW;
const open = () => new AbortController().signal;
const APP = { clientId: "client-1", clientSecret: "s3cret-with spaces&more" };

const OAUTH_ERROR_RULES: TokenEndpoint["answerRules"] = {
  readVendorText: (body) => {
    const record = body as { error?: unknown; error_description?: unknown };
    if (typeof record?.error !== "string") return null;
    return typeof record.error_description === "string" ? `${record.error}: ${record.error_description}` : record.error;
  },
  defaultRetryAfterMs: 60_000,
};

let server: LocalServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function endpointAt(url: string, overrides: Partial<TokenEndpoint> = {}): TokenEndpoint {
  return { url: `${url}/token`, app: APP, clientAuthentication: "form", answerRules: OAUTH_ERROR_RULES, ...overrides };
}

const form = (request: SeenRequest) => Object.fromEntries(new URLSearchParams(request.body));

/** A token endpoint that answers every call with `body` (status 200 unless said; a string is sent as it is). */
async function tokenServer(body: unknown, status = 200, headers: Record<string, string> = {}) {
  server = await startLocalServer((_request, res) => {
    if (typeof body !== "string") return sendJson(res, status, body, headers);
    res.writeHead(status, { "content-type": "text/html", ...headers });
    res.end(body);
  });
  return server;
}

async function caught(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const TOKENS = { access_token: "at-1", token_type: "Bearer", expires_in: 600, refresh_token: "rt-1" };

describe("token calls", () => {
  it("trade an authorization code, the client in the form, into a grant", async () => {
    const local = await tokenServer(TOKENS);
    const grant = await exchangeAuthorizationCode(
      endpointAt(local.url),
      { code: "code-1", redirectUri: "https://koppel.example/cb" },
      open(),
      now,
    );
    expect(grant).toEqual({
      accessToken: "at-1",
      accessTokenExpiresAt: new Date(NOW + 600_000).toISOString(),
      refreshToken: "rt-1",
      refreshedAt: new Date(NOW).toISOString(),
    });
    const [request] = local.seen;
    expect(request).toMatchObject({ method: "POST", path: "/token" });
    expect(request?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.headers.authorization).toBeUndefined();
    expect(form(request as SeenRequest)).toEqual({
      grant_type: "authorization_code",
      code: "code-1",
      redirect_uri: "https://koppel.example/cb",
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
  });

  it("refresh a grant; a client that also authenticates by Basic sends both", async () => {
    const local = await tokenServer({ ...TOKENS, refresh_token: "rt-2" });
    const grant = await refreshAccessToken(
      endpointAt(local.url, { clientAuthentication: "basic_and_form" }),
      "rt-1",
      open(),
      now,
    );
    expect(grant.refreshToken).toBe("rt-2");
    const request = local.seen[0] as SeenRequest;
    expect(form(request)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "rt-1",
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
    const basic = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    const [id, secret] = basic.split(":").map((part) => decodeURIComponent(part.replace(/\+/g, " ")));
    expect([id, secret]).toEqual([APP.clientId, APP.clientSecret]);
  });

  it("read expires_in sent as a string (Exact Online does) and leave an ID token unread", async () => {
    const local = await tokenServer({ ...TOKENS, token_type: "bearer", expires_in: "600", id_token: "not.a.jwt" });
    const grant = await refreshAccessToken(endpointAt(local.url), "rt-1", open(), now);
    expect(grant.accessTokenExpiresAt).toBe(new Date(NOW + 600_000).toISOString());
  });

  it.each([
    [400, { error: "invalid_grant", error_description: "expired" }, "400 invalid_grant: expired"],
    [
      400,
      { error: "invalid_request", error_description: "The refresh token expired at x" },
      "400 invalid_request: The refresh token expired at x",
    ],
    [401, { error: "invalid_client" }, "401 invalid_client"],
    [403, "<html>forbidden</html>", "403 <html>forbidden</html>"],
  ])("a refused grant (%i) is auth_failed: only a new authorisation helps", async (status, body, vendorDetail) => {
    const local = await tokenServer(body, status);
    const error = await caught(refreshAccessToken(endpointAt(local.url), "rt-1", open(), now));
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed", vendorDetail });
  });

  it("a refused code is auth_failed too", async () => {
    const local = await tokenServer({ error: "invalid_grant" }, 400);
    const error = await caught(
      exchangeAuthorizationCode(endpointAt(local.url), { code: "used", redirectUri: "https://x/cb" }, open(), now),
    );
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
  });

  it("an outage, a 408 or a refused connection is retryable: nothing was rotated", async () => {
    let local = await tokenServer({ error: "server_error" }, 503);
    expect(await caught(refreshAccessToken(endpointAt(local.url), "rt", open(), now))).toMatchObject({
      kind: "retryable",
      code: "server_error",
    });
    await local.close();
    local = await tokenServer("", 408);
    expect((await caught(refreshAccessToken(endpointAt(local.url), "rt", open(), now))).code).toBe("server_error");
    expect(await caught(refreshAccessToken(endpointAt(await closedPortUrl()), "rt", open(), now))).toMatchObject({
      kind: "retryable",
      code: "network",
    });
  });

  it("a 429 waits as Retry-After says, or as the connector reads its own headers", async () => {
    const local = await tokenServer({ error: "slow_down" }, 429, { "retry-after": "20" });
    expect(await caught(refreshAccessToken(endpointAt(local.url), "rt", open(), now))).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
      retryAfterMs: 20_000,
    });
    const own: AnswerRules = {
      ...OAUTH_ERROR_RULES,
      classifyTooManyRequests: () => new ConnectorError("retryable", "quota_exceeded", { retryAfterMs: 5 }),
    };
    expect(
      await caught(refreshAccessToken(endpointAt(local.url, { answerRules: own }), "rt", open(), now)),
    ).toMatchObject({ code: "quota_exceeded", retryAfterMs: 5 });
  });

  it.each([
    ["no refresh token", { access_token: "a", token_type: "Bearer", expires_in: 600 }],
    ["no expires_in", { access_token: "a", token_type: "Bearer", refresh_token: "r" }],
    ["no token type", { access_token: "a", expires_in: 600, refresh_token: "r" }],
    ["another token type", { ...TOKENS, token_type: "mac" }],
    ["an array", [TOKENS]],
  ])("a 200 with %s is the vendor's hiccup: retryable", async (_name, body) => {
    const local = await tokenServer(body);
    expect(await caught(refreshAccessToken(endpointAt(local.url), "rt", open(), now))).toMatchObject({
      kind: "retryable",
      code: "server_error",
    });
  });

  it("a 2xx other than RFC 6749's 200 is the vendor's hiccup too, not a refused grant", async () => {
    const local = await tokenServer(TOKENS, 201);
    expect(await caught(refreshAccessToken(endpointAt(local.url), "rt", open(), now))).toMatchObject({
      kind: "retryable",
      code: "server_error",
    });
  });

  it("a 200 that is not JSON is retryable too", async () => {
    server = await startLocalServer((_request, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>maintenance</html>");
    });
    expect((await caught(refreshAccessToken(endpointAt(server.url), "rt", open(), now))).code).toBe("server_error");
  });

  it("allow plain http only for an http endpoint (the local fakes); https stays enforced", () => {
    const http = tokenRequestOptions(new URL("http://127.0.0.1:4000/token"), open());
    const https = tokenRequestOptions(new URL("https://start.exactonline.be/api/oauth2/token"), open());
    expect(http[oauth.allowInsecureRequests]).toBe(true);
    expect(https[oauth.allowInsecureRequests]).toBeUndefined();
    expect(typeof https[oauth.customFetch]).toBe("function");
  });
});

type Secrets = GrantSecrets & { clientSecret?: string };

/** ctx.rotateSecrets as the runtime does it: one at a time, each seeing what the last one stored. */
function memoryStore(initial: Secrets) {
  let current = initial;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get current() {
      return current;
    },
    rotations: 0,
    rotateSecrets(rotate: (latest: Secrets) => Promise<Secrets | null>): Promise<Secrets> {
      const run = queue.then(async () => {
        const next = await rotate(current);
        if (next !== null) {
          current = next;
          this.rotations++;
        }
        return current;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * A vendor with a token endpoint (`/token`, rotating refresh tokens) and one API endpoint (`/api`)
 * that accepts the access tokens in `accepted`.
 */
async function vendor(options: { accepted: Set<string> }) {
  let issued = 0;
  const local = await startLocalServer((request, res) => {
    if (request.path === "/token") {
      issued++;
      const accessToken = `at-new-${issued}`;
      return sendJson(res, 200, { ...TOKENS, access_token: accessToken, refresh_token: `rt-new-${issued}` });
    }
    const bearer = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    if (options.accepted.has(bearer)) return sendJson(res, 200, { ok: true, bearer });
    return sendJson(res, 401, { error: "invalid_token" });
  });
  server = local;
  const calls = (path: string) => local.seen.filter((request) => request.path === path).length;
  return { url: local.url, calls };
}

function sessionFor(url: string, store: ReturnType<typeof memoryStore>) {
  const endpoint = endpointAt(url);
  return new BearerSession<Secrets>({
    secrets: store.current,
    rotateSecrets: (rotate) => store.rotateSecrets(rotate),
    refresh: async (latest) => ({
      ...latest,
      ...(await refreshAccessToken(endpoint, latest.refreshToken ?? "", open(), now)),
    }),
    refreshMarginMs: 30_000,
    now,
  });
}

const apiCall = (url: string) => (token: string) =>
  sendRequest(`${url}/api`, { headers: { authorization: `Bearer ${token}` } }, open());

const FRESH = {
  accessToken: "at-old",
  accessTokenExpiresAt: new Date(NOW + 300_000).toISOString(),
  refreshToken: "rt-old",
  refreshedAt: new Date(NOW - 1_000).toISOString(),
};

describe("a bearer session", () => {
  it("uses a fresh access token as it is: no refresh", async () => {
    const api = await vendor({ accepted: new Set(["at-old"]) });
    const store = memoryStore(FRESH);
    const answer = await sessionFor(api.url, store).send(apiCall(api.url));
    expect(answer.status).toBe(200);
    expect([api.calls("/token"), api.calls("/api"), store.rotations]).toEqual([0, 1, 0]);
  });

  it("refreshes a token about to expire first, through rotateSecrets, then calls", async () => {
    const api = await vendor({ accepted: new Set(["at-new-1"]) });
    const store = memoryStore({ ...FRESH, accessTokenExpiresAt: new Date(NOW + 10_000).toISOString() });
    const answer = await sessionFor(api.url, store).send(apiCall(api.url));
    expect(answer.status).toBe(200);
    expect([api.calls("/token"), api.calls("/api"), store.rotations]).toEqual([1, 1, 1]);
    expect(store.current).toMatchObject({ accessToken: "at-new-1", refreshToken: "rt-new-1" });
  });

  it("answers a 401 with one refresh and one repeat of the call", async () => {
    const api = await vendor({ accepted: new Set(["at-new-1"]) });
    const store = memoryStore(FRESH);
    const answer = await sessionFor(api.url, store).send(apiCall(api.url));
    expect(answer.status).toBe(200);
    expect([api.calls("/token"), api.calls("/api")]).toEqual([1, 2]);
  });

  it("a 401 after the refresh is not retried again: the caller gets it to classify", async () => {
    const api = await vendor({ accepted: new Set() });
    const store = memoryStore(FRESH);
    const answer = await sessionFor(api.url, store).send(apiCall(api.url));
    expect(answer.status).toBe(401);
    expect([api.calls("/token"), api.calls("/api"), store.rotations]).toEqual([1, 2, 1]);
  });

  it("after a 401, a token another job already refreshed is used, not refreshed again", async () => {
    const api = await vendor({ accepted: new Set(["at-other-job"]) });
    const store = memoryStore(FRESH);
    const session = sessionFor(api.url, store);
    // Another job of the same connection refreshed while this call was on its way.
    await store.rotateSecrets(async (latest) => ({ ...latest, accessToken: "at-other-job", refreshToken: "rt-x" }));
    const answer = await session.send(apiCall(api.url));
    expect(answer.status).toBe(200);
    expect([api.calls("/token"), api.calls("/api")]).toEqual([0, 2]);
  });

  it("a refused refresh comes out as auth_failed", async () => {
    server = await startLocalServer((_request, res) => sendJson(res, 400, { error: "invalid_grant" }));
    const store = memoryStore({ ...FRESH, accessTokenExpiresAt: new Date(NOW - 1).toISOString() });
    const local = server;
    const error = await caught(sessionFor(local.url, store).send(apiCall(local.url)));
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
    expect(store.rotations).toBe(0);
  });

  it("without a grant there is nothing to call with: not_authorised", () => {
    expect(() => sessionFor("http://127.0.0.1:1", memoryStore({}))).toThrow(
      expect.objectContaining({ kind: "auth", code: "not_authorised" }),
    );
  });

  it("counts a token as fresh only with more than the margin left", () => {
    const at = (ms: number) => ({ accessToken: "a", accessTokenExpiresAt: new Date(NOW + ms).toISOString() });
    expect(isAccessTokenFresh(at(30_001), NOW, 30_000)).toBe(true);
    expect(isAccessTokenFresh(at(30_000), NOW, 30_000)).toBe(false);
    expect(isAccessTokenFresh({ accessTokenExpiresAt: at(60_000).accessTokenExpiresAt }, NOW, 30_000)).toBe(false);
  });
});
