import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import { API_SCOPES } from "@/lib/auth/scopes";
import type { AnyApiOperation } from "./operation";
import { API_RATE_LIMIT } from "./operation";
import { problemSchema } from "./problems";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operations' own zod schemas (the ones
 * that validate the requests), so the reference cannot drift from the code. Served at
 * /api/v1/openapi.json and rendered at /docs/api.
 */
const COMMON_PROBLEMS: Record<number, string> = {
  401: "No key, or an unknown, revoked or expired key.",
  403: "The key's role or scopes do not allow this.",
  404: "Nothing with this id in the key's office.",
  429: "More than the key's requests per minute; see Retry-After.",
};
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "The input was refused; `errors` lists the fields.",
  409: "The change is refused in the current state (a document's, a webhook delivery's), or the Idempotency-Key's first request is still running.",
  413: "The body is too large.",
  415: "The body has the wrong content type.",
  422: "The Idempotency-Key was used with another body.",
  ...COMMON_PROBLEMS,
};

const rateLimitHeaders = z.object({
  RateLimit: z
    .string()
    .meta({ description: 'What is left of the window: `"api";r=<remaining>;t=<seconds to reset>`.' }),
  "RateLimit-Policy": z
    .string()
    .meta({ description: `The key's limit: \`"api";q=${API_RATE_LIMIT.limit};w=${API_RATE_LIMIT.windowSeconds}\`.` }),
});

/** Each tag's paragraph in the reference (Redocly's recommended rules want one per tag). */
const TAG_DESCRIPTIONS: Record<string, string> = {
  Dossiers: "The office's client companies: list, create, read and change them, and see how each one delivers.",
  Documents:
    "A dossier's documents: upload, set the type and fields, send, retry, archive and delete, as the document life allows.",
  "Delivery log": "Every delivery attempt of the office in a period, for auditors: JSON pages or one CSV file.",
  Webhooks:
    "The office's outgoing webhook endpoints: register addresses for document events, manage their signing secrets, read each one's delivery log, replay a message or send a test one.",
};

const retryAfterHeader = z.object({
  "Retry-After": z.string().meta({ description: "Seconds until the window resets and calls are counted again." }),
});
const wwwAuthenticateHeader = z.object({
  "WWW-Authenticate": z.string().meta({ description: 'Always `Bearer realm="koppel"`.' }),
});
const idempotentReplayedHeader = z.object({
  "Idempotent-Replayed": z.literal("true").optional().meta({
    description: "Present when this is the stored answer to an earlier request with the same Idempotency-Key.",
  }),
});
/** Headers of problem answers, by status. */
const PROBLEM_HEADERS: Record<number, z.ZodObject> = { 401: wwwAuthenticateHeader, 429: retryAfterHeader };

const idempotencyKeyHeader = z.string().min(1).max(255).optional().meta({
  description:
    "Makes the POST safe to repeat: the same key with the same body within 24 hours answers the first response again (with `Idempotent-Replayed: true`).",
});

function problemsOf(operation: AnyApiOperation): number[] {
  const codes = new Set<number>([401, 403, 404, 429, ...(operation.problems ?? [])]);
  if (operation.query || operation.body) codes.add(400);
  if (operation.body) {
    codes.add(413);
    codes.add(415);
  }
  if (operation.method === "post") {
    codes.add(409);
    codes.add(422);
  }
  return [...codes].sort();
}

function operationObject(operation: AnyApiOperation): ZodOpenApiOperationObject {
  const responses: Record<`${1 | 2 | 3 | 4 | 5}${string}`, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    let headers: z.ZodObject = rateLimitHeaders;
    if (response.headers) headers = headers.extend(response.headers.shape);
    if (operation.method === "post") headers = headers.extend(idempotentReplayedHeader.shape);
    const content: Record<string, { schema: z.ZodType }> = {};
    if (response.schema) content[response.contentType ?? "application/json"] = { schema: response.schema };
    for (const [contentType, schema] of Object.entries(response.alternatives ?? {})) content[contentType] = { schema };
    responses[status as `2${string}`] = {
      description: response.description,
      headers,
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  }
  for (const status of problemsOf(operation)) {
    const headers = PROBLEM_HEADERS[status];
    responses[`${status}` as `4${string}`] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? "A problem.",
      ...(headers ? { headers } : {}),
      content: { "application/problem+json": { schema: problemSchema } },
    };
  }
  const body = operation.body;
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: operation.tags,
    "x-koppel-scope": operation.scope,
    requestParams: {
      ...(operation.params ? { path: operation.params } : {}),
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.method === "post" ? { header: z.object({ "Idempotency-Key": idempotencyKeyHeader }) } : {}),
    },
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { [body.kind === "json" ? "application/json" : "multipart/form-data"]: { schema: body.schema } },
          },
        }
      : {}),
    responses,
  } as ZodOpenApiOperationObject;
}

export function buildOpenApiDocument(operations: readonly AnyApiOperation[]) {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of operations) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationObject(operation) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Koppel API",
      version: "1.0.0",
      description: [
        "The REST API of Koppel for partners, an office's own scripts and the recognition step.",
        "",
        "Authenticate with an API key made by an office admin (Settings → API keys): `Authorization: Bearer kop_…`.",
        "A key acts in its own office only, with its role and scopes: " +
          API_SCOPES.map((s) => `\`${s}\``).join(", ") +
          ".",
        "Errors are `application/problem+json` (RFC 9457) with a stable `code`.",
        `Each key may make ${API_RATE_LIMIT.limit} requests a minute.`,
      ].join("\n"),
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: "/api/v1", description: "This Koppel installation" }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An office's API key: kop_ followed by 43 characters." },
      },
    },
    tags: [...new Set(operations.flatMap((operation) => operation.tags))].map((name) => ({
      name,
      ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
    })),
    paths,
  });
}
