import { z } from "zod";
import { ConnectorError } from "../../errors";
import { apiBaseUrl } from "../base-url";
import { DIVISION_UNREACHABLE_STATUSES, EXACT_HOST, regionBaseUrl } from "./assumptions";
import type { ExactSettings } from "./config";

/**
 * Raw HTTP to Exact Online and the one place where its failures become ConnectorErrors.
 * - REST API (OData v2, JSON wrapped in `d`): https://start.exactonline.nl/docs/HlpRestAPIResources.aspx
 *   (reference §3.2–3.4). Errors carry `{"error":{"message":{"value":"…"}}}`; that text goes to
 *   `vendorDetail` (logs) only.
 * - OAuth 2 token endpoint `POST {host}/api/oauth2/token`, form-encoded (reference §3.1).
 * Classification (decided once, here):
 * - network failure, timeout, 408, 5xx → retryable;
 * - 429 → retryable rate_limited until X-RateLimit-Minutely-Reset, or quota_exceeded until
 *   X-RateLimit-Reset when the daily budget is spent;
 * - 401 → auth_failed (the caller refreshes the token once before it lets a 401 through);
 * - 403/404 on a division's endpoint → permanent unknown_target (the connection's Exact user
 *   cannot reach that division; see assumptions.ts); 403 elsewhere → auth_failed (the user or app
 *   lost its rights: re-authorising is the fix); 404 elsewhere → invalid_settings (wrong base URL);
 * - 400 and other 4xx → permanent package_refused (413 → file_refused).
 */

/**
 * The start URL a connection calls: its country instance, or a configured one on Exact's own
 * hosts (any host only where the deployment allows custom API hosts: tests, the local demo).
 */
export function exactBaseUrl(settings: ExactSettings): string {
  return apiBaseUrl(settings.baseUrl, regionBaseUrl(settings.region), EXACT_HOST);
}

/** One HTTP request may take this long (a 20 MB attachment is ~27 MB of base64 JSON). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** When a 429 names no reset: Exact's window is a minute. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

export type ExactAnswer = { status: number; headers: Headers; text: string };

/** Sends one request and reads the whole answer; network trouble and timeouts come out classified. */
export async function sendRequest(url: string, init: RequestInit, signal: AbortSignal): Promise<ExactAnswer> {
  const combined = AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  try {
    const response = await fetch(url, { ...init, signal: combined, redirect: "manual" });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw classifyNetworkError(error, combined);
  }
}

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

const apiErrorSchema = z.object({ error: z.object({ message: z.object({ value: z.string() }) }) });
const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** The vendor's own words from an error answer, for logs. */
export function vendorMessageOf(answer: Pick<ExactAnswer, "status" | "text">): string {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  const api = apiErrorSchema.safeParse(body);
  if (api.success) return `${answer.status} ${api.data.error.message.value}`;
  const token = tokenErrorSchema.safeParse(body);
  if (token.success) {
    return `${answer.status} ${token.data.error}${token.data.error_description ? `: ${token.data.error_description}` : ""}`;
  }
  return `${answer.status} ${answer.text.slice(0, 200)}`.trim();
}

function headerNumber(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/** How long to wait after a 429: until the minutely reset, or the daily one when that budget is spent. */
export function classifyTooManyRequests(answer: ExactAnswer, now: number): ConnectorError {
  const vendorDetail = vendorMessageOf(answer);
  const minutelyRemaining = headerNumber(answer.headers, "x-ratelimit-minutely-remaining");
  const minutelyReset = headerNumber(answer.headers, "x-ratelimit-minutely-reset");
  const dailyRemaining = headerNumber(answer.headers, "x-ratelimit-remaining");
  const dailyReset = headerNumber(answer.headers, "x-ratelimit-reset");
  if (minutelyRemaining !== 0 && dailyRemaining === 0 && dailyReset !== null) {
    return new ConnectorError("retryable", "quota_exceeded", {
      retryAfterMs: Math.max(1_000, dailyReset - now),
      vendorDetail,
    });
  }
  const retryAfterSeconds = headerNumber(answer.headers, "retry-after");
  const retryAfterMs =
    minutelyReset !== null
      ? Math.max(1_000, minutelyReset - now)
      : retryAfterSeconds !== null
        ? retryAfterSeconds * 1000
        : DEFAULT_RETRY_AFTER_MS;
  return new ConnectorError("retryable", "rate_limited", { retryAfterMs, vendorDetail });
}

/** An API answer that is not 2xx, as the error the caller throws. */
export function classifyApiAnswer(
  answer: ExactAnswer,
  scope: { isDivisionScoped: boolean },
  now: number,
): ConnectorError {
  const vendorDetail = vendorMessageOf(answer);
  const { status } = answer;
  if (status === 429) return classifyTooManyRequests(answer, now);
  if (status === 408 || status >= 500) return new ConnectorError("retryable", "server_error", { vendorDetail });
  if (status === 401) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (scope.isDivisionScoped && DIVISION_UNREACHABLE_STATUSES.value.includes(status)) {
    return new ConnectorError("permanent", "unknown_target", { vendorDetail });
  }
  if (status === 403) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (status === 404) return new ConnectorError("permanent", "invalid_settings", { vendorDetail });
  if (status === 413) return new ConnectorError("permanent", "file_refused", { vendorDetail });
  if (status >= 300 && status < 400) {
    // We never follow redirects with a bearer token; a redirect means the base URL is not the API.
    return new ConnectorError("permanent", "invalid_settings", { vendorDetail: `redirect ${status}` });
  }
  return new ConnectorError("permanent", "package_refused", { vendorDetail });
}

/** Parses a 2xx answer's JSON with `schema`; an unexpected shape is the vendor's hiccup (retryable). */
export function parseAnswer<T>(answer: ExactAnswer, schema: z.ZodType<T>): T {
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

// Answers we read (only the fields we use).

/** `GET current/Me` [S28]. */
export const meAnswerSchema = z.object({
  d: z.object({ results: z.array(z.object({ CurrentDivision: z.number().int() })).min(1) }),
});

const divisionSchema = z.object({
  Code: z.number().int(),
  Description: z.string().nullish(),
  VATNumber: z.string().nullish(),
  Status: z.number().int().nullish(),
});

/** `GET {d}/system/Divisions`: up to 60 rows per page, `__next` for the next page [S22 S28]. */
export const divisionsPageSchema = z.object({
  d: z.object({ results: z.array(divisionSchema), __next: z.string().nullish() }),
});

/** A created entity: `201 {"d":{"ID":"<guid>",…}}` [S29]. */
export const createdAnswerSchema = z.object({ d: z.object({ ID: z.string().min(1) }) });

/**
 * `GET {d}/documents/Documents(guid'…')?$select=ID,ProposedEntryStatus,FinancialTransactionEntryID`
 * (reference §3.5): the status of a Document we created, and the entry it was booked as.
 */
export const documentStatusAnswerSchema = z.object({
  d: z.object({
    ID: z.string().min(1),
    ProposedEntryStatus: z.number().int().nullish(),
    FinancialTransactionEntryID: z.string().nullish(),
  }),
});

/** A `$select=ID` list. */
export const idListAnswerSchema = z.object({
  d: z.object({ results: z.array(z.object({ ID: z.string().min(1) })) }),
});

/** `POST /api/oauth2/token`: `expires_in` in seconds, sent as a string by Exact [S22]. */
export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
});
export type TokenAnswer = z.infer<typeof tokenAnswerSchema>;

/**
 * One call of the token endpoint. A refused code or refresh token (400 invalid_grant or
 * invalid_request "The refresh token expired…", 401 for a wrong client) is `auth_failed`: only a
 * new authorisation helps. 429 and 5xx are retryable, and then nothing was rotated.
 */
export async function requestToken(
  baseUrl: string,
  form: Record<string, string>,
  signal: AbortSignal,
  now: number,
): Promise<TokenAnswer> {
  const answer = await sendRequest(
    `${baseUrl}/api/oauth2/token`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
    },
    signal,
  );
  if (answer.status >= 200 && answer.status < 300) return parseAnswer(answer, tokenAnswerSchema);
  if (answer.status === 429) throw classifyTooManyRequests(answer, now);
  if (answer.status === 408 || answer.status >= 500) {
    throw new ConnectorError("retryable", "server_error", { vendorDetail: vendorMessageOf(answer) });
  }
  throw new ConnectorError("auth", "auth_failed", { vendorDetail: vendorMessageOf(answer) });
}
