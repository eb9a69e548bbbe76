import { ConnectorError } from "../../errors";
import type { ConnectorOAuth, OAuthApp } from "../../types";
import { WK_ACCESS_TOKEN_REFRESH_MARGIN_MS, WK_AUTHORIZE_PATH, WK_GRANT_IDLE_LIFETIME_MS } from "./assumptions";
import { requestToken, type TokenAnswer, woltersKluwerLoginBaseUrl } from "./client";
import type { WoltersKluwerSecrets, WoltersKluwerSettings } from "./config";

/**
 * Wolters Kluwer's authorization-code flow and token upkeep (reference §4.1):
 * - authorize: GET {login}/auth/core/connect/authorize?client_id&redirect_uri&response_type=code
 *   &scope&state (scope includes offline_access, for the refresh token, and WK.BE.Documents);
 * - token: POST {login}/auth/core/connect/token (authorization_code or refresh_token);
 * - every refresh returns a new refresh token: refreshes go through ctx.rotateSecrets (one at a
 *   time per connection, the second job sees the first one's tokens);
 * - an unused grant dies (assumed ~15 days): keepAlive refreshes it before.
 */

export function isAccessTokenFresh(secrets: WoltersKluwerSecrets, now: number): boolean {
  if (!secrets.accessToken || !secrets.accessTokenExpiresAt) return false;
  return Date.parse(secrets.accessTokenExpiresAt) - now > WK_ACCESS_TOKEN_REFRESH_MARGIN_MS;
}

/** The stored secrets after a token answer: the client secret kept, the grant replaced whole. */
export function secretsFromTokens(
  current: Partial<WoltersKluwerSecrets>,
  tokens: TokenAnswer,
  now: number,
): WoltersKluwerSecrets {
  return {
    ...(current.clientSecret ? { clientSecret: current.clientSecret } : {}),
    accessToken: tokens.access_token,
    accessTokenExpiresAt: new Date(now + tokens.expires_in * 1000).toISOString(),
    refreshToken: tokens.refresh_token,
    refreshedAt: new Date(now).toISOString(),
  };
}

function requireApp(app: OAuthApp | null): OAuthApp {
  if (!app) {
    throw new ConnectorError("permanent", "invalid_settings", {
      vendorDetail:
        "no Wolters Kluwer app: neither the connection's client id and secret nor WOLTERS_KLUWER_CLIENT_ID/SECRET",
    });
  }
  return app;
}

/** Trades the refresh token for new tokens. Throws auth_failed when Wolters Kluwer refuses it. */
export async function refreshGrant(input: {
  settings: WoltersKluwerSettings;
  app: OAuthApp | null;
  secrets: WoltersKluwerSecrets;
  signal: AbortSignal;
  now: () => number;
}): Promise<WoltersKluwerSecrets> {
  const { secrets } = input;
  if (!secrets.refreshToken) throw new ConnectorError("auth", "not_authorised");
  const tokens = await requestToken(
    woltersKluwerLoginBaseUrl(input.settings),
    requireApp(input.app),
    { grant_type: "refresh_token", refresh_token: secrets.refreshToken },
    input.signal,
    input.now(),
  );
  return secretsFromTokens(secrets, tokens, input.now());
}

/** The OAuth part of the connector (contract: lib/connectors/types.ts, ConnectorOAuth). */
export const woltersKluwerOAuth: ConnectorOAuth<WoltersKluwerSettings, WoltersKluwerSecrets> = {
  authorizationUrl({ settings, app, redirectUri, state }) {
    const query = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: "code",
      scope: settings.scope,
      state,
    });
    return `${woltersKluwerLoginBaseUrl(settings)}/${WK_AUTHORIZE_PATH}?${query.toString()}`;
  },

  async exchangeCode({ settings, current, app, code, redirectUri, signal }) {
    const tokens = await requestToken(
      woltersKluwerLoginBaseUrl(settings),
      app,
      { grant_type: "authorization_code", code, redirect_uri: redirectUri },
      signal,
      Date.now(),
    );
    return secretsFromTokens(current, tokens, Date.now());
  },

  grantExpiresAt(secrets) {
    if (!secrets.refreshToken || !secrets.refreshedAt) return null;
    return new Date(Date.parse(secrets.refreshedAt) + WK_GRANT_IDLE_LIFETIME_MS);
  },

  async keepAlive(ctx) {
    if (!ctx.secrets.refreshToken) throw new ConnectorError("auth", "not_authorised");
    // A refresh uses the grant, so its idle time starts again; always one refresh here (the job
    // runs daily at most), whatever the access token's age.
    await ctx.rotateSecrets((latest) =>
      refreshGrant({ settings: ctx.settings, app: ctx.oauthApp, secrets: latest, signal: ctx.signal, now: Date.now }),
    );
  },
};
