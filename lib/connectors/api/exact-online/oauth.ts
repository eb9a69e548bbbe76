import { ConnectorError } from "../../errors";
import {
  exchangeAuthorizationCode,
  isAccessTokenFresh as isGrantFresh,
  type OAuthGrant,
  refreshAccessToken,
} from "../../transports/oauth2";
import type { ConnectorOAuth, OAuthApp } from "../../types";
import { ACCESS_TOKEN_REFRESH_MARGIN_MS, GRANT_IDLE_LIFETIME_MS } from "./assumptions";
import { exactBaseUrl, exactTokenEndpoint } from "./client";
import type { ExactSecrets, ExactSettings } from "./config";

/**
 * Exact's authorization-code flow and token upkeep (reference §3.1):
 * - authorize: GET {host}/api/oauth2/auth?client_id&redirect_uri&response_type=code&state
 *   (+force_login=1, so the admin signs in as the connection's dedicated Exact user rather than
 *   whoever is signed in in that browser);
 * - token: POST {host}/api/oauth2/token (authorization_code or refresh_token), made by the shared
 *   OAuth transport (transports/oauth2.ts); Exact sends `expires_in` as a string ("600"), which
 *   oauth4webapi reads as the number it stands for;
 * - access tokens live ~10 minutes; every refresh returns a NEW refresh token and kills the old
 *   one, so refreshes go through ctx.rotateSecrets (a row lock: one refresh at a time per
 *   connection, and the second job sees the first one's tokens);
 * - a grant unused for ~30 days dies: keepAlive refreshes it well before.
 */

/** Whether the stored access token still has more than the margin to live. */
export function isAccessTokenFresh(secrets: ExactSecrets, now: number): boolean {
  return isGrantFresh(secrets, now, ACCESS_TOKEN_REFRESH_MARGIN_MS.value);
}

/**
 * The stored secrets after a token answer: the client secret and the webhook secret (both the
 * app's, not the grant's) kept, the grant replaced whole.
 */
export function secretsFromTokens(current: Partial<ExactSecrets>, grant: OAuthGrant): ExactSecrets {
  return {
    ...(current.clientSecret ? { clientSecret: current.clientSecret } : {}),
    ...(current.webhookSecret ? { webhookSecret: current.webhookSecret } : {}),
    ...grant,
  };
}

function requireApp(app: OAuthApp | null): OAuthApp {
  if (!app) {
    throw new ConnectorError("permanent", "invalid_settings", {
      vendorDetail: "no Exact app: neither the connection's client id and secret nor EXACT_ONLINE_CLIENT_ID/SECRET",
    });
  }
  return app;
}

/** Trades the refresh token for new tokens. Throws auth_failed when Exact refuses it. */
export async function refreshGrant(input: {
  settings: ExactSettings;
  app: OAuthApp | null;
  secrets: ExactSecrets;
  signal: AbortSignal;
  now: () => number;
}): Promise<ExactSecrets> {
  const { secrets } = input;
  if (!secrets.refreshToken) throw new ConnectorError("auth", "not_authorised");
  const endpoint = exactTokenEndpoint(input.settings, requireApp(input.app));
  const grant = await refreshAccessToken(endpoint, secrets.refreshToken, input.signal, input.now);
  return secretsFromTokens(secrets, grant);
}

/** The OAuth part of the connector (contract: lib/connectors/types.ts, ConnectorOAuth). */
export const exactOAuth: ConnectorOAuth<ExactSettings, ExactSecrets> = {
  authorizationUrl({ settings, app, redirectUri, state }) {
    const query = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: "code",
      state,
      force_login: "1",
    });
    return `${exactBaseUrl(settings)}/api/oauth2/auth?${query.toString()}`;
  },

  async exchangeCode({ settings, current, app, code, redirectUri, signal }) {
    const grant = await exchangeAuthorizationCode(exactTokenEndpoint(settings, app), { code, redirectUri }, signal);
    return secretsFromTokens(current, grant);
  },

  grantExpiresAt(secrets) {
    if (!secrets.refreshToken || !secrets.refreshedAt) return null;
    return new Date(Date.parse(secrets.refreshedAt) + GRANT_IDLE_LIFETIME_MS.value);
  },

  async keepAlive(ctx) {
    if (!ctx.secrets.refreshToken) throw new ConnectorError("auth", "not_authorised");
    // A refresh uses the grant, so its 30 days start again. An access token that is still fresh
    // was issued minutes ago (the grant is in use), and Exact hands out a new one only near the
    // end of the old one's life (assumptions.ts): then there is nothing to do.
    await ctx.rotateSecrets(async (latest) =>
      isAccessTokenFresh(latest, Date.now())
        ? null
        : refreshGrant({
            settings: ctx.settings,
            app: ctx.oauthApp,
            secrets: latest,
            signal: ctx.signal,
            now: Date.now,
          }),
    );
  },
};
