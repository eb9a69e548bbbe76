import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { woltersKluwerConnector } from "@/lib/connectors/api/wolters-kluwer";
import { WK_GRANT_IDLE_LIFETIME_MS } from "@/lib/connectors/api/wolters-kluwer/assumptions";
import { type FakeWoltersKluwer, startFakeWoltersKluwer } from "../../../../fakes/wolters-kluwer";
import { allowCustomApiHosts, contextFor, grantedSecrets, memorySecrets } from "./helpers";

let fake: FakeWoltersKluwer;
const REDIRECT_URI = "https://koppel.example/api/oauth/callback";

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  fake = await startFakeWoltersKluwer({ autoApprove: true });
});
afterEach(async () => {
  await fake.close();
});

const oauth = woltersKluwerConnector.oauth;

/** Follows the authorize URL the way the admin's browser would, up to our callback's code. */
async function codeFrom(authorizationUrl: string): Promise<URL> {
  const answer = await fetch(authorizationUrl, { redirect: "manual" });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get("location") ?? "");
}

describe("Wolters Kluwer OAuth", () => {
  it("signs in at Wolters Kluwer with the documents scope and trades the code for a grant", async () => {
    const settings = contextFor(fake).settings;
    const app = { clientId: fake.clientId, clientSecret: fake.clientSecret };
    const url = oauth.authorizationUrl({ settings, app, redirectUri: REDIRECT_URI, state: "s-1" });
    expect(url.startsWith(`${fake.url}/auth/core/connect/authorize?`)).toBe(true);
    const callback = await codeFrom(url);
    expect(callback.searchParams.get("state")).toBe("s-1");
    expect(fake.counts.lastScope?.split(" ")).toEqual(
      expect.arrayContaining(["offline_access", "WK.BE.Administrations", "WK.BE.Documents"]),
    );

    const before = Date.now();
    const secrets = await oauth.exchangeCode({
      settings,
      current: { clientSecret: "own-secret" },
      app,
      code: callback.searchParams.get("code") ?? "",
      redirectUri: REDIRECT_URI,
      signal: AbortSignal.timeout(10_000),
    });
    expect(secrets).toMatchObject({
      clientSecret: "own-secret",
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    expect(Date.parse(secrets.accessTokenExpiresAt ?? "")).toBeGreaterThan(before + 3_500_000);
    expect(oauth.grantExpiresAt(secrets)?.getTime()).toBe(
      Date.parse(secrets.refreshedAt ?? "") + WK_GRANT_IDLE_LIFETIME_MS,
    );
  });

  it("a code used twice is refused as an auth failure", async () => {
    const settings = contextFor(fake).settings;
    const app = { clientId: fake.clientId, clientSecret: fake.clientSecret };
    const code =
      (
        await codeFrom(oauth.authorizationUrl({ settings, app, redirectUri: REDIRECT_URI, state: "s" }))
      ).searchParams.get("code") ?? "";
    const exchange = () =>
      oauth.exchangeCode({
        settings,
        current: {},
        app,
        code,
        redirectUri: REDIRECT_URI,
        signal: AbortSignal.timeout(10_000),
      });
    await exchange();
    await expect(exchange()).rejects.toMatchObject({ kind: "auth", code: "auth_failed" });
  });

  it("a client secret with spaces and symbols passes Basic form-encoded (RFC 6749 §2.3.1)", async () => {
    const own = await startFakeWoltersKluwer({ autoApprove: true, clientSecret: "s3cret with+plus&amp=~" });
    try {
      const settings = contextFor(own).settings;
      const app = { clientId: own.clientId, clientSecret: "s3cret with+plus&amp=~" };
      const callback = await codeFrom(oauth.authorizationUrl({ settings, app, redirectUri: REDIRECT_URI, state: "s" }));
      const secrets = await oauth.exchangeCode({
        settings,
        current: {},
        app,
        code: callback.searchParams.get("code") ?? "",
        redirectUri: REDIRECT_URI,
        signal: AbortSignal.timeout(10_000),
      });
      expect(secrets.refreshToken).toEqual(expect.any(String));
    } finally {
      await own.close();
    }
  });

  it("a scope without WK.BE.Documents is refused by the login", async () => {
    const settings = contextFor(fake, { settings: { scope: "openid offline_access" } }).settings;
    const callback = await codeFrom(
      oauth.authorizationUrl({
        settings,
        app: { clientId: fake.clientId, clientSecret: "x" },
        redirectUri: REDIRECT_URI,
        state: "s",
      }),
    );
    expect(callback.searchParams.get("error")).toBe("invalid_scope");
  });

  it("keep-alive uses the grant: one refresh, the rotated token stored", async () => {
    const secrets = memorySecrets(grantedSecrets(fake));
    const old = secrets.current.refreshToken ?? "";
    await oauth.keepAlive(contextFor(fake, { secrets }));
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.isRefreshTokenActive(old)).toBe(false);
    expect(fake.isRefreshTokenActive(secrets.current.refreshToken ?? "")).toBe(true);
  });

  it("two jobs that find the token expired refresh once between them", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    await Promise.all([
      woltersKluwerConnector.check(contextFor(fake, { secrets })),
      woltersKluwerConnector.check(contextFor(fake, { secrets })),
    ]);
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.counts.refusedRefreshes).toBe(0);
  });
});
