import * as oauth from "oauth4webapi";
import { z } from "zod";
import { ConnectorError } from "../errors";
import type { OAuthApp } from "../types";
import { type AnswerRules, type HttpAnswer, rateLimitedError, sendRequest, vendorMessageOf } from "./http";

/**
 * OAuth 2 for the API connectors (Exact Online, Wolters Kluwer): the token calls (RFC 6749 §4.1.3
 * authorization code, §6 refresh) made and checked by oauth4webapi
 * (https://github.com/panva/oauth4webapi, docs/functions/refreshTokenGrantRequest.md and
 * processRefreshTokenResponse.md), sent through our HTTP transport (http.ts: deadline, no
 * redirects, network trouble classified), and the "refresh, then repeat the call once" rule of a
 * bearer session. Classification of a token call (decided once, here):
 * - network failure, timeout, 408, 5xx → retryable server_error / network / timeout, and then
 *   nothing was rotated;
 * - 429 → retryable, read the connector's way (its AnswerRules);
 * - any other refusal (400 invalid_grant, 401 invalid_client, …) → auth auth_failed: only a new
 *   authorisation helps;
 * - a 2xx that is not a token answer (no access or refresh token, no expires_in, a token type other
 *   than bearer, a status other than RFC 6749's 200) → retryable server_error, the vendor's hiccup.
 * The connectors use OAuth for API access only and read no identity from it: an ID token (Wolters
 * Kluwer issues one for the openid scope) is dropped unread rather than checked against an issuer
 * we could not confirm.
 */

/** Where and how a connector trades codes and refresh tokens. */
export type TokenEndpoint = {
  /** https on every vendor; http only for the local fakes (tests, demo). */
  url: string;
  app: OAuthApp;
  /**
   * How the client proves itself: its id and secret in the form (client_secret_post), or both by
   * HTTP Basic (client_secret_basic) and in the form, as public code against Wolters Kluwer's
   * identity server does.
   */
  clientAuthentication: "form" | "basic_and_form";
  /** The vendor's error text and its reading of a 429. */
  answerRules: Pick<AnswerRules, "readVendorText" | "defaultRetryAfterMs" | "classifyTooManyRequests">;
};

/** The grant as the connectors store it in their secrets (times as ISO strings). */
export type OAuthGrant = {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshedAt: string;
};

/** Every refresh must hand out the next refresh token (both vendors rotate them) and say how long the access token lives. */
const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

type GrantCall = (
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  clientAuth: oauth.ClientAuth,
  options: oauth.TokenEndpointRequestOptions,
) => Promise<Response>;

type ProcessAnswer = (
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  response: Response,
) => Promise<oauth.TokenEndpointResponse>;

function clientAuthOf(endpoint: TokenEndpoint): oauth.ClientAuth {
  const post = oauth.ClientSecretPost(endpoint.app.clientSecret);
  if (endpoint.clientAuthentication === "form") return post;
  const basic = oauth.ClientSecretBasic(endpoint.app.clientSecret);
  return async (as, client, body, headers) => {
    await basic(as, client, body, headers);
    await post(as, client, body, headers);
  };
}

/** A Response oauth4webapi can read, made from an answer our transport already read whole. */
function responseOf(answer: HttpAnswer): Response {
  const hasNoBody = answer.status === 204 || answer.status === 205 || answer.status === 304;
  return new Response(hasNoBody ? null : answer.text, { status: answer.status, headers: answer.headers });
}

/** The answer's text without an `id_token` member (see the file comment); other text unchanged. */
function withoutIdToken(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (body === null || typeof body !== "object" || Array.isArray(body) || !("id_token" in body)) return text;
    const { id_token: _unread, ...rest } = body as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return text;
  }
}

/** A token endpoint's refusal as the error to throw; nothing was rotated. */
function classifyTokenRefusal(answer: HttpAnswer, endpoint: TokenEndpoint, now: number): ConnectorError {
  if (answer.status === 429) return rateLimitedError(answer, endpoint.answerRules, now);
  const vendorDetail = vendorMessageOf(answer, endpoint.answerRules.readVendorText);
  if (answer.status === 408 || answer.status >= 500) {
    return new ConnectorError("retryable", "server_error", { vendorDetail });
  }
  return new ConnectorError("auth", "auth_failed", { vendorDetail });
}

/**
 * oauth4webapi's options for one token call: its requests go through our transport, and plain http
 * is allowed only where the endpoint's URL says http. oauth4webapi refuses http otherwise, and only
 * the local fakes (tests, demo) serve their token endpoint over it: every vendor's is https.
 */
export function tokenRequestOptions(url: URL, signal: AbortSignal): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: async (target, init) =>
      responseOf(await sendRequest(target, { method: init.method, headers: init.headers, body: init.body }, signal)),
    ...(url.protocol === "http:" ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

async function callTokenEndpoint(
  endpoint: TokenEndpoint,
  grant: GrantCall,
  processAnswer: ProcessAnswer,
  signal: AbortSignal,
  now: () => number,
): Promise<OAuthGrant> {
  const url = new URL(endpoint.url);
  const as: oauth.AuthorizationServer = { issuer: url.origin, token_endpoint: url.toString() };
  const client: oauth.Client = { client_id: endpoint.app.clientId };
  const response = await grant(as, client, clientAuthOf(endpoint), tokenRequestOptions(url, signal));
  const answer: HttpAnswer = { status: response.status, headers: response.headers, text: await response.text() };
  if (answer.status < 200 || answer.status >= 300) throw classifyTokenRefusal(answer, endpoint, now());

  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await processAnswer(as, client, responseOf({ ...answer, text: withoutIdToken(answer.text) }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectorError("retryable", "server_error", {
      vendorDetail: `${answer.status}: unexpected token answer (${reason})`,
      cause: error,
    });
  }
  const parsed = tokenAnswerSchema.safeParse(tokens);
  if (!parsed.success) {
    throw new ConnectorError("retryable", "server_error", {
      vendorDetail: `${answer.status}: unexpected token answer (${parsed.error.issues[0]?.path.join(".") ?? "?"})`,
    });
  }
  const at = now();
  return {
    accessToken: parsed.data.access_token,
    accessTokenExpiresAt: new Date(at + parsed.data.expires_in * 1000).toISOString(),
    refreshToken: parsed.data.refresh_token,
    refreshedAt: new Date(at).toISOString(),
  };
}

/**
 * Trades an authorization code (from our callback, whose state the caller already checked) for a
 * grant. No PKCE: both vendors' flows are for confidential clients with a secret.
 */
export function exchangeAuthorizationCode(
  endpoint: TokenEndpoint,
  input: { code: string; redirectUri: string },
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<OAuthGrant> {
  return callTokenEndpoint(
    endpoint,
    (as, client, clientAuth, options) => {
      const callback = oauth.validateAuthResponse(
        as,
        client,
        new URLSearchParams({ code: input.code }),
        oauth.skipStateCheck,
      );
      return oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        callback,
        input.redirectUri,
        oauth.nopkce,
        options,
      );
    },
    (as, client, response) => oauth.processAuthorizationCodeResponse(as, client, response),
    signal,
    now,
  );
}

/** Trades a refresh token for a new grant (a new refresh token too: the old one is dead after this). */
export function refreshAccessToken(
  endpoint: TokenEndpoint,
  refreshToken: string,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<OAuthGrant> {
  return callTokenEndpoint(
    endpoint,
    (as, client, clientAuth, options) => oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, options),
    (as, client, response) => oauth.processRefreshTokenResponse(as, client, response),
    signal,
    now,
  );
}

/** The grant fields of a connector's secrets (both OAuth connectors store the same four). */
export type GrantSecrets = Partial<OAuthGrant>;

/** Whether the stored access token still has more than `marginMs` to live. */
export function isAccessTokenFresh(secrets: GrantSecrets, now: number, marginMs: number): boolean {
  if (!secrets.accessToken || !secrets.accessTokenExpiresAt) return false;
  return Date.parse(secrets.accessTokenExpiresAt) - now > marginMs;
}

export type BearerSessionOptions<TSecrets extends GrantSecrets> = {
  /** The secrets the connector call started with. */
  secrets: TSecrets;
  /** ctx.rotateSecrets: one rotation at a time per connection, each seeing what the previous stored. */
  rotateSecrets: (rotate: (latest: TSecrets) => Promise<TSecrets | null>) => Promise<TSecrets>;
  /** Refreshes the grant in `latest` (the connector's refreshGrant); throws when the vendor refuses. */
  refresh: (latest: TSecrets) => Promise<TSecrets>;
  /** Refresh an access token that has less than this left. */
  refreshMarginMs: number;
  now: () => number;
};

/**
 * The access token of one connector call: a fresh one first (refreshed through rotateSecrets when
 * it is missing or about to expire), and a call the vendor answers with 401 repeated once after one
 * refresh, never more. Concurrent calls of one connection refresh once: under rotateSecrets the
 * latest stored secrets are looked at again, and a token another job already refreshed is used.
 */
export class BearerSession<TSecrets extends GrantSecrets> {
  private secrets: TSecrets;

  constructor(private readonly options: BearerSessionOptions<TSecrets>) {
    // Before the admin connected there is no grant: nothing to call with.
    if (!options.secrets.refreshToken && !options.secrets.accessToken) {
      throw new ConnectorError("auth", "not_authorised");
    }
    this.secrets = options.secrets;
  }

  /**
   * Runs `call` with a usable access token. A 401 answer gets one refresh and one repeat; the
   * repeat's answer, a second 401 included, is returned for the caller to classify.
   */
  async send<TAnswer extends { status: number }>(call: (accessToken: string) => Promise<TAnswer>): Promise<TAnswer> {
    const token = await this.accessToken(null);
    const answer = await call(token);
    if (answer.status !== 401) return answer;
    // Revoked or expired earlier than it said: one refresh, one repeat.
    return call(await this.accessToken(token));
  }

  /** A usable access token. `rejected`: the token the vendor just refused, which must not come back. */
  private async accessToken(rejected: string | null): Promise<string> {
    const { now, refreshMarginMs } = this.options;
    if (rejected === null && isAccessTokenFresh(this.secrets, now(), refreshMarginMs) && this.secrets.accessToken) {
      return this.secrets.accessToken;
    }
    const stored = await this.options.rotateSecrets(async (latest) => {
      if (isAccessTokenFresh(latest, now(), refreshMarginMs) && latest.accessToken !== rejected) return null;
      return this.options.refresh(latest);
    });
    this.secrets = stored;
    if (!stored.accessToken) throw new ConnectorError("auth", "not_authorised");
    return stored.accessToken;
  }
}
