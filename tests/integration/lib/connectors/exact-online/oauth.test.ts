import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exactOnlineConnector, resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import type { ExactSecrets } from "@/lib/connectors/api/exact-online/config";
import { refreshGrant } from "@/lib/connectors/api/exact-online/oauth";
import { ConnectorError } from "@/lib/connectors/errors";
import { type FakeExactOnline, startFakeExactOnline } from "../../../../fakes/exact-online";
import { allowCustomApiHosts, contextFor, grantedSecrets, memorySecrets } from "./helpers";

const oauth = exactOnlineConnector.oauth;
const REDIRECT_URI = "http://localhost:3100/api/oauth/callback";
let fake: FakeExactOnline;

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  resetExactRateLimits();
  fake = await startFakeExactOnline();
});
afterEach(async () => {
  await fake.close();
});

const settingsOf = () => exactOnlineConnector.settingsSchema.parse({ baseUrl: fake.url });
const appOf = () => ({ clientId: fake.clientId, clientSecret: fake.clientSecret });

/** What the admin's browser does: open the authorize page, press Authorize, follow to the callback. */
async function authorizeInBrowser(authorizationUrl: string): Promise<URL> {
  const page = await fetch(authorizationUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(">Authorize</button>");
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1] ?? "",
      (match[2] ?? "").replace(/&amp;/g, "&"),
    ]),
  );
  const approved = await fetch(new URL("/api/oauth2/auth", fake.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...fields, decision: "approve" }).toString(),
    redirect: "manual",
  });
  expect(approved.status).toBe(302);
  return new URL(approved.headers.get("location") ?? "");
}

async function exchange(code: string, current: Partial<ExactSecrets> = {}) {
  return oauth.exchangeCode({
    settings: settingsOf(),
    current,
    app: appOf(),
    code,
    redirectUri: REDIRECT_URI,
    signal: AbortSignal.timeout(10_000),
  });
}

describe("Exact Online OAuth", () => {
  it("builds the authorize URL on the chosen country instance", () => {
    const url = new URL(
      oauth.authorizationUrl({
        settings: exactOnlineConnector.settingsSchema.parse({ region: "nl" }),
        app: { clientId: "app-id", clientSecret: "never-in-the-url" },
        redirectUri: REDIRECT_URI,
        state: "st&te",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://start.exactonline.nl/api/oauth2/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "app-id",
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      state: "st&te",
      force_login: "1",
    });
    expect(url.toString()).not.toContain("never-in-the-url");
  });

  it("trades the code from the authorize page for tokens, keeping the office's client secret", async () => {
    const callback = await authorizeInBrowser(
      oauth.authorizationUrl({ settings: settingsOf(), app: appOf(), redirectUri: REDIRECT_URI, state: "state-1" }),
    );
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe("state-1");

    const before = Date.now();
    const secrets = await exchange(callback.searchParams.get("code") ?? "", { clientSecret: "office-secret" });
    expect(secrets).toMatchObject({ clientSecret: "office-secret" });
    expect(fake.isRefreshTokenActive(secrets.refreshToken ?? "")).toBe(true);
    const expiresIn = Date.parse(secrets.accessTokenExpiresAt ?? "") - before;
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000 + 1_000);
    expect(oauth.grantExpiresAt(secrets)?.getTime()).toBe(
      Date.parse(secrets.refreshedAt ?? "") + 30 * 24 * 60 * 60 * 1000,
    );

    // The tokens work: a real call.
    const health = await exactOnlineConnector.check(contextFor(fake, { secrets: memorySecrets(secrets) }));
    expect(health.ok).toBe(true);
  });

  it("a code works once", async () => {
    const callback = await authorizeInBrowser(
      oauth.authorizationUrl({ settings: settingsOf(), app: appOf(), redirectUri: REDIRECT_URI, state: "s" }),
    );
    const code = callback.searchParams.get("code") ?? "";
    await exchange(code);
    const error = await exchange(code).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
  });

  it("a wrong client secret is refused as auth_failed", async () => {
    const error = await oauth
      .exchangeCode({
        settings: settingsOf(),
        current: {},
        app: { clientId: fake.clientId, clientSecret: "wrong" },
        code: "whatever",
        redirectUri: REDIRECT_URI,
        signal: AbortSignal.timeout(10_000),
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
  });

  it("autoApprove sends the browser straight back with a code (for e2e)", async () => {
    const auto = await startFakeExactOnline({ autoApprove: true });
    try {
      const url = oauth.authorizationUrl({
        settings: exactOnlineConnector.settingsSchema.parse({ baseUrl: auto.url }),
        app: { clientId: auto.clientId, clientSecret: auto.clientSecret },
        redirectUri: REDIRECT_URI,
        state: "s2",
      });
      const answer = await fetch(url, { redirect: "manual" });
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.get("location") ?? "");
      expect(location.searchParams.get("state")).toBe("s2");
      expect(location.searchParams.get("code")).toMatch(/^code_/);
    } finally {
      await auto.close();
    }
  });

  it("rotates refresh tokens: the old one is refused once a new one was issued", async () => {
    const first = grantedSecrets(fake);
    const settings = settingsOf();
    const second = await refreshGrant({
      settings,
      app: appOf(),
      secrets: first,
      signal: AbortSignal.timeout(10_000),
      now: Date.now,
    });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const again = await refreshGrant({
      settings,
      app: appOf(),
      secrets: first,
      signal: AbortSignal.timeout(10_000),
      now: Date.now,
    }).catch((caught: unknown) => caught);
    expect(again).toMatchObject({ kind: "auth", code: "auth_failed" });
    expect(fake.counts).toMatchObject({ refreshes: 1, refusedRefreshes: 1 });
  });

  it("keepAlive uses the grant through rotateSecrets, so its 30 days start again", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    const before = secrets.current;
    await oauth.keepAlive(contextFor(fake, { secrets, division: null }));
    expect(secrets.stored).toBe(1);
    expect(secrets.current.refreshToken).not.toBe(before.refreshToken);
    expect(Date.parse(secrets.current.refreshedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(before.refreshedAt ?? ""));
    expect(fake.isRefreshTokenActive(before.refreshToken ?? "")).toBe(false);
  });

  it("keepAlive of a connection that was never authorised is not_authorised", async () => {
    const error = await oauth
      .keepAlive(contextFor(fake, { secrets: memorySecrets({}), division: null }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "auth", code: "not_authorised" });
  });

  it("a grant with no OAuth app configured cannot be refreshed (settings, not credentials)", async () => {
    const ctx = {
      ...contextFor(fake, { secrets: memorySecrets(grantedSecrets(fake, { isExpired: true })) }),
      oauthApp: null,
    };
    const health = await exactOnlineConnector.check(ctx);
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "invalid_settings" } });
  });
});
