import type { z } from "zod";
import { ConnectorError } from "../../errors";
import { type HttpAnswer, parseAnswer, sendRequest } from "../../transports/http";
import { BearerSession } from "../../transports/oauth2";
import type { ConnectorContext } from "../../types";
import { ACCESS_TOKEN_REFRESH_MARGIN_MS } from "./assumptions";
import { classifyApiAnswer, exactBaseUrl } from "./client";
import type { ExactSecrets, ExactSettings } from "./config";
import { refreshGrant } from "./oauth";
import { type ExactRateLimiter, exactRateLimiter, exactRateLimitKey } from "./rate-limit";

export type ExactContext = ConnectorContext<ExactSettings, ExactSecrets, unknown>;

/** Where a call goes: a division's endpoint, or the user's own (`current/Me`). */
export type ExactScope = number | "current";

type CallInput<T> = {
  scope: ExactScope;
  /** The endpoint below /api/v1/{scope}/, e.g. "documents/Documents": the error breaker's unit. */
  endpoint: string;
  method: "GET" | "POST";
  /** Query string for GET (ignored when `url` is given). */
  query?: Record<string, string>;
  /** A whole URL Exact handed us (`__next`); must stay on the connection's host. */
  url?: string;
  body?: unknown;
  schema: z.ZodType<T>;
};

/**
 * Authorised calls to Exact's REST API for one connector call: a fresh access token first
 * (refreshed through ctx.rotateSecrets when it is missing or about to expire), every call through
 * the rate limiter (counting in ctx.callLimits, shared by every instance), and a 401 answered by one refresh and one repeat of that call (BearerSession).
 */
export class ExactSession {
  readonly baseUrl: string;
  private readonly bearer: BearerSession<ExactSecrets>;
  private readonly clientKey: string;

  constructor(
    private readonly ctx: ExactContext,
    private readonly limiter: ExactRateLimiter = exactRateLimiter(),
    private readonly now: () => number = Date.now,
  ) {
    this.bearer = new BearerSession({
      secrets: ctx.secrets,
      rotateSecrets: (rotate) => ctx.rotateSecrets(rotate),
      refresh: (latest) =>
        refreshGrant({ settings: ctx.settings, app: ctx.oauthApp, secrets: latest, signal: ctx.signal, now }),
      refreshMarginMs: ACCESS_TOKEN_REFRESH_MARGIN_MS.value,
      now,
    });
    this.baseUrl = exactBaseUrl(ctx.settings);
    this.clientKey = ctx.oauthApp?.clientId ?? ctx.settings.clientId ?? "deployment";
  }

  /** GET, parsed with `schema`. */
  get<T>(scope: ExactScope, endpoint: string, query: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    return this.call({ scope, endpoint, method: "GET", query, schema });
  }

  /**
   * GET of one entity by its key (`endpoint(key)`, the key already an OData literal). The rate
   * limiter's error breaker counts it under `endpoint`, as Exact counts its errors.
   */
  getByKey<T>(
    scope: ExactScope,
    endpoint: string,
    key: string,
    query: Record<string, string>,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const search = Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : "";
    const url = `${this.baseUrl}/api/v1/${scope}/${endpoint}(${key})${search}`;
    return this.call({ scope, endpoint, method: "GET", url, schema });
  }

  /** GET of a next-page link Exact gave for `endpoint`. */
  getNext<T>(scope: ExactScope, endpoint: string, url: string, schema: z.ZodType<T>): Promise<T> {
    return this.call({ scope, endpoint, method: "GET", url, schema });
  }

  /** POST of a JSON body, parsed with `schema`. */
  post<T>(scope: ExactScope, endpoint: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    return this.call({ scope, endpoint, method: "POST", body, schema });
  }

  private urlOf<T>(input: CallInput<T>): string {
    if (input.url) {
      const next = new URL(input.url);
      // A bearer token never goes to another host than the connection's.
      if (next.origin !== new URL(this.baseUrl).origin || !next.pathname.startsWith("/api/v1/")) {
        throw new ConnectorError("retryable", "server_error", { vendorDetail: "next-page link leaves the API" });
      }
      return next.toString();
    }
    const query = input.query && Object.keys(input.query).length > 0 ? `?${new URLSearchParams(input.query)}` : "";
    return `${this.baseUrl}/api/v1/${input.scope}/${input.endpoint}${query}`;
  }

  private async call<T>(input: CallInput<T>): Promise<T> {
    const url = this.urlOf(input);
    const key = exactRateLimitKey(this.baseUrl, this.clientKey, input.scope);
    const answer = await this.bearer.send(async (token) => {
      const permit = await this.limiter.acquire(key, input.endpoint, this.ctx.signal, this.ctx.callLimits);
      let answer: HttpAnswer;
      try {
        answer = await sendRequest(
          url,
          {
            method: input.method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: "application/json",
              ...(input.body === undefined ? {} : { "content-type": "application/json" }),
            },
            body: input.body === undefined ? undefined : JSON.stringify(input.body),
          },
          this.ctx.signal,
        );
      } catch (error) {
        await permit.release();
        throw error;
      }
      await permit.settle(answer.status, answer.headers);
      return answer;
    });
    if (answer.status < 200 || answer.status >= 300) {
      throw classifyApiAnswer(answer, { isDivisionScoped: input.scope !== "current" }, this.now());
    }
    return parseAnswer(answer, input.schema);
  }
}
