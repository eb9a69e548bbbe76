import { createHash } from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";
import { ConnectorError } from "../../errors";
import { isPrivateFtpHostAllowed, resolveAllowedHost } from "../../ftp/guard";
import { type AnswerRules, classifyHttpAnswer, type HttpAnswer, parseAnswer, sendRequest } from "../../transports/http";
import { endpointUrl } from "../endpoint-path";
import {
  SYNETON_ERROR_PATTERNS,
  SYNETON_THROTTLE_RETRY_MS,
  SYNETON_TOKEN_HEADER,
  SYNETON_TOKEN_MARGIN_MS,
  SYNETON_TOKEN_MAX_AGE_MS,
} from "./assumptions";
import type { SynetonSettings } from "./config";

/**
 * Raw HTTP to the Admin-IS / Admin-Consult REST API (reference §5; assumptions.ts) and the one place
 * where its failures are classified. The transport (fetch with a timeout, no redirects, network
 * errors classified) is the Exact Online connector's. Session tokens are cached in-process per
 * base URL and API key (hashed) until shortly before their TimeToLive, and renewed once when a call
 * answers that the token is not valid. Classification:
 * - network failure, timeout, 408, 5xx → retryable;
 * - 429, or 403 "You are throttling the system" → retryable rate_limited (after Retry-After, else a
 *   minute);
 * - the token endpoint refusing the key (any 4xx) → auth_failed; 401 or 403 about the token on a
 *   call → one new token, then auth_failed; other 403 → auth_failed (the key lacks rights);
 * - 404 on a customer's call, or an unknown-customer message → permanent unknown_target; 404
 *   elsewhere → invalid_settings (a wrong path);
 * - 413 → file_refused; other 4xx → package_refused.
 */

/**
 * The office's API address. Admin-Consult runs on the office's own server, so there is no vendor
 * host to pin: it must be https on a public address (private ones only where the deployment allows
 * private hosts, as for FTP), unless custom API hosts are allowed (tests, demo).
 */
export async function synetonBaseUrl(settings: SynetonSettings): Promise<string> {
  const url = new URL(settings.baseUrl);
  if (env().KOPPEL_ALLOW_CUSTOM_API_HOSTS === "1") return url.toString().replace(/\/+$/, "");
  if (url.protocol !== "https:") {
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "the API address must use https" });
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  await resolveAllowedHost(hostname, { allowPrivate: isPrivateFtpHostAllowed() });
  return url.toString().replace(/\/+$/, "");
}

const errorBodySchema = z.union([
  z.looseObject({ ErrorMessage: z.string() }),
  z.array(z.looseObject({ ErrorMessage: z.string() })).min(1),
]);

/** The ErrorMessage(s) in a parsed error body, or null. */
function readSynetonErrorText(body: unknown): string | null {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return null;
  return Array.isArray(parsed.data)
    ? parsed.data.map((item) => item.ErrorMessage).join(", ")
    : parsed.data.ErrorMessage;
}

/** The ErrorMessage(s) of an answer, or its start. */
export function errorMessageOf(answer: Pick<HttpAnswer, "text">): string {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return answer.text.slice(0, 200);
  }
  return readSynetonErrorText(body) ?? answer.text.slice(0, 200);
}

/** A 2xx-less answer that says the token is gone, not that the key lacks rights. */
export function isTokenRefused(answer: HttpAnswer): boolean {
  if (answer.status === 401) return true;
  return answer.status === 403 && SYNETON_ERROR_PATTERNS.tokenRefused.test(errorMessageOf(answer));
}

/** An API answer that is not 2xx (and not a token to renew), as the error the caller throws. */
export function classifyApiAnswer(
  answer: HttpAnswer,
  scope: { isCustomerScoped: boolean },
  now: number = Date.now(),
): ConnectorError {
  const rules: AnswerRules = {
    readVendorText: readSynetonErrorText,
    defaultRetryAfterMs: SYNETON_THROTTLE_RETRY_MS,
    isThrottled: (throttled) =>
      throttled.status === 403 && SYNETON_ERROR_PATTERNS.throttled.test(errorMessageOf(throttled)),
    // Any 403 that is no throttle is the key lacking rights, even one that names a customer.
    isUnknownTarget: (refused) =>
      refused.status !== 403 &&
      (SYNETON_ERROR_PATTERNS.unknownCustomer.test(errorMessageOf(refused)) ||
        (scope.isCustomerScoped && refused.status === 404)),
  };
  return classifyHttpAnswer(answer, rules, now);
}

/** `GET api/v1/token/{apiKey}` [V S69]. */
const tokenAnswerSchema = z.looseObject({ TokenGuid: z.string().min(1), TimeToLive: z.string().nullish() });

type CachedToken = { token: string; usableUntil: number };

/** Tokens per (base URL, SHA-256 of the API key); the key itself is never a map key. */
const tokens = new Map<string, CachedToken>();
const MAX_CACHED_TOKENS = 1_000;

/** Forgets every cached token (tests; a process that rotates keys). */
export function clearSynetonTokens(): void {
  tokens.clear();
}

/** Until when a token may be used: before its TimeToLive (a time without zone read as UTC), at most an hour. */
export function tokenUsableUntil(timeToLive: string | null | undefined, now: number): number {
  const cap = now + SYNETON_TOKEN_MAX_AGE_MS;
  if (!timeToLive) return cap;
  const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(timeToLive) ? timeToLive : `${timeToLive}Z`;
  const end = Date.parse(text);
  return Number.isNaN(end) ? cap : Math.min(cap, end - SYNETON_TOKEN_MARGIN_MS);
}

export type SynetonClientOptions = {
  baseUrl: string;
  settings: SynetonSettings;
  apiKey: string;
  signal: AbortSignal;
  now?: () => number;
};

/** A client for one connector call; cheap to create (the token cache is shared). */
export function createSynetonClient(options: SynetonClientOptions) {
  const { baseUrl, settings, apiKey, signal } = options;
  const now = options.now ?? Date.now;
  const cacheKey = `${baseUrl}|${createHash("sha256").update(apiKey).digest("hex")}`;

  async function newToken(): Promise<string> {
    const answer = await sendRequest(
      endpointUrl(baseUrl, settings.tokenPath, { apiKey }),
      { method: "GET", headers: { accept: "application/json" } },
      signal,
    );
    if (answer.status < 200 || answer.status >= 300) {
      const classified = classifyApiAnswer(answer, { isCustomerScoped: false }, now());
      // Any refusal of the key itself means the key is wrong or withdrawn.
      if (classified.kind === "permanent" || answer.status === 401 || answer.status === 403) {
        throw new ConnectorError("auth", "auth_failed", { vendorDetail: classified.vendorDetail });
      }
      throw classified;
    }
    const parsed = parseAnswer(answer, tokenAnswerSchema);
    if (tokens.size >= MAX_CACHED_TOKENS) tokens.clear();
    tokens.set(cacheKey, { token: parsed.TokenGuid, usableUntil: tokenUsableUntil(parsed.TimeToLive, now()) });
    return parsed.TokenGuid;
  }

  async function tokenFor(options: { fresh: boolean }): Promise<string> {
    const cached = tokens.get(cacheKey);
    if (!options.fresh && cached && cached.usableUntil > now()) return cached.token;
    tokens.delete(cacheKey);
    return newToken();
  }

  return {
    /**
     * One call with a session token; a token the API no longer accepts is renewed once. Resolves
     * with the 2xx answer, or with a 404 "Nothing found" when `allowNothingFound` (empty lists).
     */
    async call(input: {
      method: "GET" | "POST";
      url: string;
      body?: unknown;
      isCustomerScoped: boolean;
      allowNothingFound?: boolean;
      freshToken?: boolean;
    }): Promise<HttpAnswer> {
      let token = await tokenFor({ fresh: input.freshToken ?? false });
      for (let isRepeat = false; ; isRepeat = true) {
        const answer = await sendRequest(
          input.url,
          {
            method: input.method,
            headers: {
              [SYNETON_TOKEN_HEADER]: token,
              accept: "application/json",
              ...(input.body === undefined ? {} : { "content-type": "application/json" }),
            },
            body: input.body === undefined ? undefined : JSON.stringify(input.body),
          },
          signal,
        );
        if (answer.status >= 200 && answer.status < 300) return answer;
        if (
          input.allowNothingFound &&
          answer.status === 404 &&
          SYNETON_ERROR_PATTERNS.nothingFound.test(errorMessageOf(answer))
        ) {
          return answer;
        }
        if (isTokenRefused(answer) && !isRepeat) {
          token = await tokenFor({ fresh: true });
          continue;
        }
        throw classifyApiAnswer(answer, { isCustomerScoped: input.isCustomerScoped }, now());
      }
    },
  };
}

export type SynetonClient = ReturnType<typeof createSynetonClient>;

// Answers we read (only the fields we use).

const customerSchema = z.looseObject({
  CustomerId: z.coerce.number().int(),
  Name: z.string().nullish(),
  Firstname: z.string().nullish(),
  CustCode: z.union([z.string(), z.number()]).nullish(),
  VATNr: z.string().nullish(),
  IsActive: z.boolean().nullish(),
});
export type SynetonCustomer = z.infer<typeof customerSchema>;

export const customersPageSchema = z.array(customerSchema);

/** The next page's URL from a Link header (`<url>; rel="next"`), or null. */
export function nextLinkOf(headers: Headers): string | null {
  const link = headers.get("link");
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (match?.[1]) return match[1];
  }
  return null;
}
