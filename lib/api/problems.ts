import { z } from "zod";
import { DOCUMENT_REFUSALS } from "@/lib/documents/refusals";
import { FILE_REFUSAL_CODES } from "@/lib/documents/sniff";
import type { AppErrorCode } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";

/**
 * Every error of the API is an RFC 9457 problem (`application/problem+json`) with a stable `code`
 * from one closed set: the application's error codes, the document-life refusals the UI shows, the
 * refusals of an uploaded file (the upload route answers them too), and the API's own (authentication, limits, idempotency, bodies). `detail` is in the caller's
 * language (Accept-Language: nl, fr or en; English otherwise); clients branch on `code`.
 */
const APP_ERROR_CODES = [
  "not_found",
  "forbidden",
  "validation_failed",
  "conflict",
  "unauthenticated",
  "duplicate_file",
  "storage_full",
  "storage_unavailable",
] as const satisfies readonly AppErrorCode[];

const API_ONLY_CODES = [
  "rate_limited",
  "idempotency_key_reused",
  "idempotency_request_in_progress",
  "payload_too_large",
  "unsupported_media_type",
  "internal_error",
  "database_unavailable",
] as const;

const FILE_REFUSALS = Object.values(FILE_REFUSAL_CODES);

/** Refusals that come from a document's own content: a recognition result against an e-invoice's XML. */
const CONTENT_CODES = ["einvoice_contradiction"] as const;

export const API_ERROR_CODES = [
  ...new Set([...APP_ERROR_CODES, ...DOCUMENT_REFUSALS, ...FILE_REFUSALS, ...CONTENT_CODES, ...API_ONLY_CODES]),
] as [string, ...string[]];
export type ApiErrorCode =
  | (typeof APP_ERROR_CODES)[number]
  | (typeof DOCUMENT_REFUSALS)[number]
  | (typeof FILE_REFUSALS)[number]
  | (typeof CONTENT_CODES)[number]
  | (typeof API_ONLY_CODES)[number];

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "A URN naming the problem: urn:koppel:problem:<code>." }),
    title: z.string().meta({ description: "A short English summary of the problem." }),
    status: z.number().int(),
    code: z.enum(API_ERROR_CODES).meta({ description: "Stable: branch on this." }),
    detail: z.string().meta({ description: "What happened, in the caller's language." }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({
        description:
          "For validation_failed: the refused fields (paths only, never the values). For a refused upload: one entry per file (`file.<index>`).",
      }),
    existingDocumentId: z.guid().optional().meta({
      description: "For `duplicate_file`: the document of the dossier that already has this file.",
    }),
    existingDocumentUrl: z.string().optional().meta({
      description: "For `duplicate_file`: that document, as a path of this API (`/api/v1/documents/{id}`).",
    }),
  })
  .meta({ id: "Problem" });
export type ApiProblem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
};

/** The message (a key under "errors" in the i18n catalog) for each API-only code. */
const API_ONLY_MESSAGE_KEYS: Record<(typeof API_ONLY_CODES)[number] | "unauthenticated", string> = {
  unauthenticated: "api.unauthenticated",
  rate_limited: "api.rateLimited",
  idempotency_key_reused: "api.idempotencyKeyReused",
  idempotency_request_in_progress: "api.idempotencyInProgress",
  payload_too_large: "api.payloadTooLarge",
  unsupported_media_type: "api.unsupportedMediaType",
  internal_error: "generic",
  database_unavailable: "databaseUnavailable",
};

export type ProblemInput = {
  status: number;
  code: ApiErrorCode;
  /** A key under "errors"; defaults to the code's own message. */
  messageKey?: string;
  /** A whole key of the catalog instead, for messages kept elsewhere ("dispatch.refusals.<code>"). */
  catalogKey?: string;
  messageValues?: Record<string, string | number>;
  errors?: ApiProblem["errors"];
  /** For duplicate_file: the document that already has the file. */
  existingDocumentId?: string;
};

/** A document as a path of this API, for links in answers. */
export function apiDocumentPath(documentId: string): string {
  return `/api/v1/documents/${documentId}`;
}

export function buildProblem(input: ProblemInput, locale: Locale): ApiProblem {
  const t = translatorFor(locale);
  const key = input.messageKey ?? API_ONLY_MESSAGE_KEYS[input.code as keyof typeof API_ONLY_MESSAGE_KEYS] ?? "generic";
  return {
    type: `urn:koppel:problem:${input.code}`,
    title: TITLES[input.status] ?? "Error",
    status: input.status,
    code: input.code,
    detail: t((input.catalogKey ?? `errors.${key}`) as never, input.messageValues as never),
    ...(input.errors ? { errors: input.errors } : {}),
    ...(input.existingDocumentId
      ? { existingDocumentId: input.existingDocumentId, existingDocumentUrl: apiDocumentPath(input.existingDocumentId) }
      : {}),
  };
}

export function problemResponse(problem: ApiProblem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

/**
 * zod issues as the problem's `errors`: where, and what was wrong, never the value sent. Our
 * schemas' messages are keys under "errors" (shared with the forms): those are translated.
 */
export function issuesOf(error: z.ZodError, locale: Locale, prefix = ""): NonNullable<ApiProblem["errors"]> {
  const t = translatorFor(locale);
  return error.issues.map((issue) => {
    const key = `errors.${issue.message}`;
    return {
      path: [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "(body)",
      message: t.has(key as never) ? t(key as never) : issue.message,
    };
  });
}
