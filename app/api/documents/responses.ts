import "server-only";

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
