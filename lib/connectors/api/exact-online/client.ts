import { z } from "zod";
import { ConnectorError } from "../../errors";
import {
  type AnswerRules,
  classifyHttpAnswer,
  type HttpAnswer,
  retryAfterMsOf,
  vendorMessageOf as vendorMessageOfAnswer,
} from "../../transports/http";
import type { TokenEndpoint } from "../../transports/oauth2";
import type { OAuthApp } from "../../types";
import { apiBaseUrl } from "../base-url";
import { DIVISION_UNREACHABLE_STATUSES, EXACT_HOST, regionBaseUrl } from "./assumptions";
import type { ExactSettings } from "./config";

/**
 * Raw HTTP to Exact Online and the one place where its failures become ConnectorErrors. The
 * transport (deadline, no redirects, network errors, the status rules APIs share) is
 * transports/http.ts, the token calls transports/oauth2.ts; what is Exact's own is decided here.
 * - REST API (OData v2, JSON wrapped in `d`): https://start.exactonline.nl/docs/HlpRestAPIResources.aspx
 *   (reference §3.2–3.4). Errors carry `{"error":{"message":{"value":"…"}}}`; that text goes to
 *   `vendorDetail` (logs) only.
 * - OAuth 2 token endpoint `POST {host}/api/oauth2/token`, form-encoded (reference §3.1).
 * Classification (decided once, here):
 * - network failure, timeout, 408, 5xx → retryable;
 * - 429 → retryable rate_limited until X-RateLimit-Minutely-Reset, or quota_exceeded until
 *   X-RateLimit-Reset when the daily budget is spent (without those headers: Retry-After, else a
 *   minute);
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

/** When a 429 names no reset: Exact's window is a minute. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

const apiErrorSchema = z.object({ error: z.object({ message: z.object({ value: z.string() }) }) });
const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** Exact's words in an error body: the API's `error.message.value`, or an OAuth error and its description. */
export function readExactErrorText(body: unknown): string | null {
  const api = apiErrorSchema.safeParse(body);
  if (api.success) return api.data.error.message.value;
  const token = tokenErrorSchema.safeParse(body);
  if (token.success) {
    return `${token.data.error}${token.data.error_description ? `: ${token.data.error_description}` : ""}`;
  }
  return null;
}

/** The vendor's own words from an error answer, for logs. */
export function vendorMessageOf(answer: Pick<HttpAnswer, "status" | "text">): string {
  return vendorMessageOfAnswer(answer, readExactErrorText);
}

function headerNumber(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/**
 * How long to wait after a 429: until the minutely reset, or the daily one when that budget is
 * spent (X-RateLimit-* headers, epoch milliseconds); without them Retry-After, else a minute.
 */
export function classifyTooManyRequests(answer: HttpAnswer, now: number): ConnectorError {
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
  const retryAfterMs =
    minutelyReset !== null
      ? Math.max(1_000, minutelyReset - now)
      : (retryAfterMsOf(answer.headers, now) ?? DEFAULT_RETRY_AFTER_MS);
  return new ConnectorError("retryable", "rate_limited", { retryAfterMs, vendorDetail });
}

const EXACT_ANSWER_RULES = {
  readVendorText: readExactErrorText,
  defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
  classifyTooManyRequests,
} satisfies AnswerRules;

/** An API answer that is not 2xx, as the error the caller throws. */
export function classifyApiAnswer(
  answer: HttpAnswer,
  scope: { isDivisionScoped: boolean },
  now: number,
): ConnectorError {
  return classifyHttpAnswer(
    answer,
    {
      ...EXACT_ANSWER_RULES,
      isUnknownTarget: ({ status }) => scope.isDivisionScoped && DIVISION_UNREACHABLE_STATUSES.value.includes(status),
    },
    now,
  );
}

/** Exact's token endpoint: `POST {host}/api/oauth2/token`, the client in the form (reference §3.1). */
export function exactTokenEndpoint(settings: ExactSettings, app: OAuthApp): TokenEndpoint {
  return {
    url: `${exactBaseUrl(settings)}/api/oauth2/token`,
    app,
    clientAuthentication: "form",
    answerRules: EXACT_ANSWER_RULES,
  };
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
