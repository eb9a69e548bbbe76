import { buildOpenApiDocument } from "@/lib/api/openapi";
import { API_OPERATIONS } from "@/lib/api/operations";

export const runtime = "nodejs";

/** The OpenAPI 3.1 document of /api/v1, public like any API reference. Built once per instance. */
let document: string | undefined;

export function GET(): Response {
  document ??= JSON.stringify(buildOpenApiDocument(API_OPERATIONS));
  return new Response(document, {
    headers: { "content-type": "application/json", "cache-control": "public, max-age=300" },
  });
}
