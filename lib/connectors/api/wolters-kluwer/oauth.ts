import { ConnectorError } from "../../errors";
import { exchangeAuthorizationCode, type OAuthGrant, refreshAccessToken } from "../../transports/oauth2";
import type { ConnectorOAuth, OAuthApp } from "../../types";
import { WK_AUTHORIZE_PATH, WK_GRANT_IDLE_LIFETIME_MS } from "./assumptions";
import { woltersKluwerLoginBaseUrl, woltersKluwerTokenEndpoint } from "./client";
import type { WoltersKluwerSecrets, WoltersKluwerSettings } from "./config";

/**
 * Wolters Kluwer's authorization-code flow and token upkeep (reference §4.1):
 * - authorize: GET {login}/auth/core/connect/authorize?client_id&redirect_uri&response_type=code
 *   &scope&state (scope includes offline_access, for the refresh token, and WK.BE.Documents);
 * - token: POST {login}/auth/core/connect/token (authorization_code or refresh_token), made by the
 *   shared OAuth transport (transports/oauth2.ts); the ID token the openid scope brings is not read;
 * - every refresh returns a new refresh token: refreshes go through ctx.rotateSecrets (one at a
 *   time per connection, the second job sees the first one's tokens);
 * - an unused grant dies (assumed ~15 days): keepAlive refreshes it before.
 */

/** The stored secrets after a token answer: the client secret kept, the grant replaced whole. */
export function secretsFromTokens(current: Partial<WoltersKluwerSecrets>, grant: OAuthGrant): WoltersKluwerSecrets {
  return { ...(current.clientSecret ? { clientSecret: current.clientSecret } : {}), ...grant };
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
  const endpoint = woltersKluwerTokenEndpoint(input.settings, requireApp(input.app));
  const grant = await refreshAccessToken(endpoint, secrets.refreshToken, input.signal, input.now);
  return secretsFromTokens(secrets, grant);
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
    const endpoint = woltersKluwerTokenEndpoint(settings, app);
    const grant = await exchangeAuthorizationCode(endpoint, { code, redirectUri }, signal);
    return secretsFromTokens(current, grant);
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
