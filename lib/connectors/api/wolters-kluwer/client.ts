import { z } from "zod";
import type { ConnectorError } from "../../errors";
import {
  type AnswerRules,
  classifyHttpAnswer,
  type HttpAnswer,
  vendorMessageOf as vendorMessageOfAnswer,
} from "../../transports/http";
import type { TokenEndpoint } from "../../transports/oauth2";
import type { OAuthApp } from "../../types";
import { apiBaseUrl } from "../base-url";
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
 * (deadline, no redirects, network errors, the status rules APIs share) is transports/http.ts, the
 * token calls transports/oauth2.ts. Classification:
 * - network failure, timeout, 408, 5xx → retryable;
 * - 429 → retryable rate_limited after Retry-After (a minute without it);
 * - 401 → auth_failed (the session refreshes the token once before it lets a 401 through);
 * - 403/404 on an administration's endpoint → permanent unknown_target (unknown administration, or
 *   the API not activated for it; or a wrong upload path, which the docs page says to check);
 *   403 elsewhere → auth_failed (the scope or activation is missing); 404 elsewhere → invalid_settings;
 * - 413 → file_refused; other 4xx → package_refused.
 */

export function woltersKluwerApiBaseUrl(settings: WoltersKluwerSettings): string {
  return apiBaseUrl(settings.baseUrl, WK_API_BASE_URL[settings.environment], WK_API_HOST);
}

export function woltersKluwerLoginBaseUrl(settings: WoltersKluwerSettings): string {
  return apiBaseUrl(settings.loginUrl, WK_LOGIN_BASE_URL[settings.environment], WK_LOGIN_HOST);
}

/** Wolters Kluwer's words in an error body: OAuth errors, problem details, or a message. */
export function readWoltersKluwerErrorText(body: unknown): string | null {
  if (!body || typeof body !== "object") return null;
  const record = body as Record<string, unknown>;
  const parts = ["error", "error_description", "title", "detail", "message", "Message"]
    .map((key) => record[key])
    .filter((value): value is string => typeof value === "string" && value.trim() !== "");
  return parts.length > 0 ? parts.join(": ").slice(0, 300) : null;
}

/** The vendor's own words from an error answer, for logs only. */
export function vendorMessageOf(answer: Pick<HttpAnswer, "status" | "text">): string {
  return vendorMessageOfAnswer(answer, readWoltersKluwerErrorText);
}

const WK_ANSWER_RULES = {
  readVendorText: readWoltersKluwerErrorText,
  defaultRetryAfterMs: WK_DEFAULT_RETRY_AFTER_MS,
} satisfies AnswerRules;

/** An API answer that is not 2xx, as the error the caller throws. */
export function classifyApiAnswer(
  answer: HttpAnswer,
  scope: { isAdministrationScoped: boolean },
  now: number,
): ConnectorError {
  return classifyHttpAnswer(
    answer,
    {
      ...WK_ANSWER_RULES,
      isUnknownTarget: ({ status }) => scope.isAdministrationScoped && (status === 403 || status === 404),
    },
    now,
  );
}

/**
 * The identity server's token endpoint. The client is authenticated both by HTTP Basic and in the
 * form, as public code written against the live service does.
 */
export function woltersKluwerTokenEndpoint(settings: WoltersKluwerSettings, app: OAuthApp): TokenEndpoint {
  return {
    url: `${woltersKluwerLoginBaseUrl(settings)}/${WK_TOKEN_PATH}`,
    app,
    clientAuthentication: "basic_and_form",
    answerRules: WK_ANSWER_RULES,
  };
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
