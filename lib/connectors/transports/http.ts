import type { z } from "zod";
import { ConnectorError } from "../errors";

/**
 * HTTP for the API connectors (Exact Online, Wolters Kluwer, Syneton DMS, and Yuki's SOAP calls):
 * one request with a deadline whose whole answer is read, network trouble classified, and the status
 * rules the JSON APIs share (conventions §4 "Errors": network errors, 5xx and 429 retry, and
 * Retry-After is honoured). This file knows no package's error body: each connector hands in a
 * reader for its vendor's error text, and its own answers to the questions only it can decide
 * (is this target out of reach, is this another way of saying "slow down").
 */

/** One HTTP request may take this long (a 20 MB attachment is ~27 MB of base64 JSON). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** A whole answer: status, headers and the body as text. */
export type HttpAnswer = { status: number; headers: Headers; text: string };

/**
 * Sends one request and reads the whole answer; network trouble and timeouts come out classified.
 * Redirects are not followed unless `init.redirect` says so: a bearer token or key must not travel
 * to wherever a Location header points, and a redirect means the base URL is not the API.
 */
export async function sendRequest(url: string, init: RequestInit, signal: AbortSignal): Promise<HttpAnswer> {
  const combined = AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  try {
    const response = await fetch(url, { ...init, redirect: init.redirect ?? "manual", signal: combined });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw classifyNetworkError(error, combined);
  }
}

/** A failed fetch: a deadline (ours or the caller's) is a timeout, anything else the network; both retry. */
export function classifyNetworkError(error: unknown, signal: AbortSignal): ConnectorError {
  if (signal.aborted || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"))) {
    return new ConnectorError("retryable", "timeout", { cause: error });
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return new ConnectorError("retryable", "network", {
    vendorDetail: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)),
    cause: error,
  });
}

/** Reads the vendor's own words out of a parsed JSON error body, or null when they are not there. */
export type VendorTextReader = (body: unknown) => string | null;

/** The vendor's own words from an error answer, for logs (vendorDetail) only: status, then text. */
export function vendorMessageOf(answer: Pick<HttpAnswer, "status" | "text">, readVendorText: VendorTextReader): string {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  const text = body === undefined ? null : readVendorText(body);
  return `${answer.status} ${text ?? answer.text.slice(0, 200)}`.trim();
}

/**
 * How long a Retry-After header asks to wait (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), at
 * least a second; null when there is none or it cannot be read.
 */
export function retryAfterMsOf(headers: Headers, now: number): number | null {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return Math.max(1_000, Number(raw) * 1000);
  // A date names its day and month in letters; anything else is not a Retry-After we understand.
  const at = /[a-z]/i.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(1_000, at - now);
}

/** What a connector decides about its vendor's answers; the rest of the status rules are shared. */
export type AnswerRules = {
  readVendorText: VendorTextReader;
  /** The wait after a throttle that names none (no Retry-After). */
  defaultRetryAfterMs: number;
  /** The vendor's own reading of a throttle (e.g. Exact's rate-limit headers), instead of Retry-After. */
  classifyTooManyRequests?: (answer: HttpAnswer, now: number) => ConnectorError;
  /** A throttle the vendor says other than with 429 (Syneton: 403 "You are throttling the system"). */
  isThrottled?: (answer: HttpAnswer) => boolean;
  /**
   * Whether a refusal (asked after 5xx and 401) means the target this call named (a division, an
   * administration, a customer) is out of reach rather than the credentials or the settings.
   */
  isUnknownTarget?: (answer: HttpAnswer) => boolean;
};

/** A throttled answer as the retryable error to throw: the vendor's reading, else Retry-After, else the default. */
export function rateLimitedError(answer: HttpAnswer, rules: AnswerRules, now: number): ConnectorError {
  if (rules.classifyTooManyRequests) return rules.classifyTooManyRequests(answer, now);
  return new ConnectorError("retryable", "rate_limited", {
    retryAfterMs: retryAfterMsOf(answer.headers, now) ?? rules.defaultRetryAfterMs,
    vendorDetail: vendorMessageOf(answer, rules.readVendorText),
  });
}

/**
 * 4xx statuses that say "not now" rather than "not this": 408 Request Timeout, 421 Misdirected
 * Request, 425 Too Early, 426 Upgrade Required, 450/451 (a mailbox or resource busy, a local
 * error: the FTP and SMTP readings, which proxies in front of some packages pass on). With 429 and
 * every 5xx they are retried (lib/dispatch/retry-policy.ts), honouring Retry-After.
 */
export const RETRYABLE_4XX_STATUSES: ReadonlySet<number> = new Set([408, 421, 425, 426, 450, 451]);

/** Whether the HTTP status alone says the call may succeed later. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 429 || status >= 500 || RETRYABLE_4XX_STATUSES.has(status);
}

/**
 * An API answer that is not 2xx, as the error the caller throws. The status decides; the body only
 * refines (a vendor's throttle said otherwise, a target out of reach):
 * - 429 (or the vendor's other throttle) → retryable rate_limited; 5xx and RETRYABLE_4XX_STATUSES →
 *   retryable server_error, after the Retry-After when the answer has one;
 * - 401 → auth_failed (callers with a token to refresh do that once before they let a 401 through);
 * - a target out of reach (the connector says) → permanent unknown_target;
 * - 403 → auth_failed (rights or activation missing: re-authorising is the fix); 404 → invalid_settings
 *   (a wrong base URL or path); 413 → file_refused; a redirect → invalid_settings (never followed with
 *   credentials); any other status → permanent package_refused.
 */
export function classifyHttpAnswer(answer: HttpAnswer, rules: AnswerRules, now: number): ConnectorError {
  const { status } = answer;
  if (status === 429 || rules.isThrottled?.(answer)) return rateLimitedError(answer, rules, now);
  const vendorDetail = vendorMessageOf(answer, rules.readVendorText);
  if (status >= 500 || RETRYABLE_4XX_STATUSES.has(status)) {
    return new ConnectorError("retryable", "server_error", {
      vendorDetail,
      retryAfterMs: retryAfterMsOf(answer.headers, now) ?? undefined,
    });
  }
  if (status === 401) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (rules.isUnknownTarget?.(answer)) return new ConnectorError("permanent", "unknown_target", { vendorDetail });
  if (status === 403) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (status === 404) return new ConnectorError("permanent", "invalid_settings", { vendorDetail });
  if (status === 413) return new ConnectorError("permanent", "file_refused", { vendorDetail });
  if (status >= 300 && status < 400) {
    return new ConnectorError("permanent", "invalid_settings", { vendorDetail: `redirect ${status}` });
  }
  return new ConnectorError("permanent", "package_refused", { vendorDetail });
}

/** Parses a 2xx answer's JSON with `schema`; an unexpected shape is the vendor's hiccup (retryable). */
export function parseAnswer<T>(answer: HttpAnswer, schema: z.ZodType<T>): T {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new ConnectorError("retryable", "server_error", { vendorDetail: `${answer.status}: answer is not JSON` });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ConnectorError("retryable", "server_error", {
      vendorDetail: `${answer.status}: unexpected answer (${parsed.error.issues[0]?.path.join(".") ?? "?"})`,
    });
  }
  return parsed.data;
}
