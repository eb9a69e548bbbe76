import { z } from "zod";
import { ConnectorError } from "../../errors";
import { apiBaseUrl } from "../base-url";
import { type ExactAnswer as HttpAnswer, parseAnswer, sendRequest } from "../exact-online/client";
import {
  WK_API_BASE_URL,
  WK_API_HOST,
  WK_DEFAULT_RETRY_AFTER_MS,
  WK_LOGIN_BASE_URL,
  WK_LOGIN_HOST,
  WK_TOKEN_PATH,
} from "./assumptions";
import type { WoltersKluwerSettings } from "./config";

/**
 * Raw HTTP to the Adsolut Public API and Wolters Kluwer's identity server, and the one place where
 * their failures become ConnectorErrors (reference §4.1; assumptions.ts "errors"). The transport
 * (fetch with a timeout, no redirects, network errors classified) is the Exact Online connector's.
 * Classification:
 * - network failure, timeout, 408, 5xx → retryable;
 * - 429 → retryable rate_limited after Retry-After (a minute without it);
 * - 401 → auth_failed (the session refreshes the token once before it lets a 401 through);
 * - 403/404 on an administration's endpoint → permanent unknown_target (unknown administration, or
 *   the API not activated for it; or a wrong upload path, which the docs page says to check);
 *   403 elsewhere → auth_failed (the scope or activation is missing); 404 elsewhere → invalid_settings;
 * - 413 → file_refused; other 4xx → package_refused.
 */

export type { HttpAnswer };

export function woltersKluwerApiBaseUrl(settings: WoltersKluwerSettings): string {
  return apiBaseUrl(settings.baseUrl, WK_API_BASE_URL[settings.environment], WK_API_HOST);
}

export function woltersKluwerLoginBaseUrl(settings: WoltersKluwerSettings): string {
  return apiBaseUrl(settings.loginUrl, WK_LOGIN_BASE_URL[settings.environment], WK_LOGIN_HOST);
}

/** The vendor's own words from an error answer, for logs only. */
export function vendorMessageOf(answer: Pick<HttpAnswer, "status" | "text">): string {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `${answer.status} ${answer.text.slice(0, 200)}`.trim();
  }
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const parts = ["error", "error_description", "title", "detail", "message", "Message"]
      .map((key) => record[key])
      .filter((value): value is string => typeof value === "string" && value.trim() !== "");
    if (parts.length > 0) return `${answer.status} ${parts.join(": ").slice(0, 300)}`;
  }
  return `${answer.status} ${answer.text.slice(0, 200)}`.trim();
}

function retryAfterMsOf(headers: Headers, now: number): number {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return WK_DEFAULT_RETRY_AFTER_MS;
  if (/^\d+$/.test(raw)) return Math.max(1_000, Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? WK_DEFAULT_RETRY_AFTER_MS : Math.max(1_000, at - now);
}

/** An API answer that is not 2xx, as the error the caller throws. */
export function classifyApiAnswer(
  answer: HttpAnswer,
  scope: { isAdministrationScoped: boolean },
  now: number,
): ConnectorError {
  const vendorDetail = vendorMessageOf(answer);
  const { status } = answer;
  if (status === 429) {
    return new ConnectorError("retryable", "rate_limited", {
      retryAfterMs: retryAfterMsOf(answer.headers, now),
      vendorDetail,
    });
  }
  if (status === 408 || status >= 500) return new ConnectorError("retryable", "server_error", { vendorDetail });
  if (status === 401) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (scope.isAdministrationScoped && (status === 403 || status === 404)) {
    return new ConnectorError("permanent", "unknown_target", { vendorDetail });
  }
  if (status === 403) return new ConnectorError("auth", "auth_failed", { vendorDetail });
  if (status === 404) return new ConnectorError("permanent", "invalid_settings", { vendorDetail });
  if (status === 413) return new ConnectorError("permanent", "file_refused", { vendorDetail });
  if (status >= 300 && status < 400) {
    // Redirects are never followed with a bearer token: the base URL is not the API.
    return new ConnectorError("permanent", "invalid_settings", { vendorDetail: `redirect ${status}` });
  }
  return new ConnectorError("permanent", "package_refused", { vendorDetail });
}

export { parseAnswer, sendRequest };

/** `POST …/connect/token` (IdentityServer): expires_in in seconds. */
export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
});
export type TokenAnswer = z.infer<typeof tokenAnswerSchema>;

/**
 * One call of the token endpoint, the client authenticated both by HTTP Basic and in the form (as
 * public code written against the live service does). A refused code or refresh token (400
 * invalid_grant, 401 invalid_client) is auth_failed: only a new authorisation helps. 429 and 5xx
 * are retryable, and then nothing was rotated.
 */
export async function requestToken(
  loginBaseUrl: string,
  app: { clientId: string; clientSecret: string },
  form: Record<string, string>,
  signal: AbortSignal,
  now: number,
): Promise<TokenAnswer> {
  const basic = Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString(
    "base64",
  );
  const answer = await sendRequest(
    `${loginBaseUrl}/${WK_TOKEN_PATH}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        authorization: `Basic ${basic}`,
      },
      body: new URLSearchParams({ ...form, client_id: app.clientId, client_secret: app.clientSecret }).toString(),
    },
    signal,
  );
  if (answer.status >= 200 && answer.status < 300) return parseAnswer(answer, tokenAnswerSchema);
  if (answer.status === 429) {
    throw new ConnectorError("retryable", "rate_limited", {
      retryAfterMs: retryAfterMsOf(answer.headers, now),
      vendorDetail: vendorMessageOf(answer),
    });
  }
  if (answer.status === 408 || answer.status >= 500) {
    throw new ConnectorError("retryable", "server_error", { vendorDetail: vendorMessageOf(answer) });
  }
  throw new ConnectorError("auth", "auth_failed", { vendorDetail: vendorMessageOf(answer) });
}

// Answers we read (only the fields we use; the shapes are assumptions.ts "administration-fields").

const administrationSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  vatNumber: z.string().nullish(),
});
export type WoltersKluwerAdministration = z.infer<typeof administrationSchema>;

/** A list page: `{ items, currentPage, totalPages }`, `{ data: [...] }` or a bare array. */
export function listPageSchema<T extends z.ZodType>(item: T) {
  return z.union([
    z.array(item).transform((items) => ({ items, totalPages: 1 })),
    z
      .looseObject({
        items: z.array(item).optional(),
        data: z.array(item).optional(),
        totalPages: z.coerce.number().int().nonnegative().optional(),
      })
      .transform((page) => ({ items: page.items ?? page.data ?? [], totalPages: page.totalPages ?? 1 })),
  ]);
}

export const administrationsPageSchema = listPageSchema(administrationSchema);

/** Any JSON answer; the connector picks the configured id field out of it. */
export const anyJsonSchema = z.unknown();
