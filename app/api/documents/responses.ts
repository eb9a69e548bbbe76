import "server-only";
import { noteDatabaseError } from "@/db/health";
import { DATABASE_RETRY_AFTER_SECONDS } from "@/db/unreachable";

/**
 * RFC 9457 problem responses (`application/problem+json`) for the document routes: a stable
 * `type`, a short English `title`, and a `detail` in the user's language. Never an error's own
 * message or stack: those may carry SQL, paths or vendor text.
 */
export function problemResponse(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return Response.json(
    { type: `urn:koppel:problem:documents:${slug}`, title, status, detail, ...extra },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers } },
  );
}

/**
 * The answer to an error nobody expected: 503 with Retry-After and "your documents are safe" when
 * the database could not be reached (a restart, an outage: trying again shortly helps), else a
 * generic 500. Logged either way, under `label`; never the error's text in the answer.
 */
export function unexpectedErrorResponse(
  error: unknown,
  t: (key: "errors.databaseUnavailable" | "errors.generic") => string,
  label: string,
): Response {
  if (noteDatabaseError(error)) {
    console.error(`[${label}] the database cannot be reached`, error);
    return problemResponse(
      503,
      "database-unavailable",
      "Database unavailable",
      t("errors.databaseUnavailable"),
      {},
      { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    );
  }
  console.error(`[${label}] failed`, error);
  return problemResponse(500, "internal", "Internal error", t("errors.generic"));
}
