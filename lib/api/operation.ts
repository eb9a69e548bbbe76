import { createHash } from "node:crypto";
import type { z } from "zod";
import { type Db, getDb } from "@/db";
import { noteDatabaseError } from "@/db/health";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnreachable } from "@/db/unreachable";
import { type ApiKeyActor, authenticateApiKey } from "@/lib/api-keys/authenticate";
import type { ApiScope } from "@/lib/auth/scopes";
import { DuplicateFileError } from "@/lib/documents/duplicates";
import { EInvoiceContradictionError } from "@/lib/documents/einvoice";
import { DocumentRefusedError } from "@/lib/documents/life";
import { isAppError } from "@/lib/errors";
import { type LimitedBody, readBodyWithLimit } from "@/lib/http/body";
import { DEFAULT_LOCALE, type Locale, localeFromAcceptLanguage } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { consumeRateLimit, type RateLimitPolicy, rateLimitHeaders } from "@/lib/rate-limit";
import {
  claimIdempotencyKey,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyClaim,
  type StoredResponse,
} from "./idempotency";
import { type ApiProblem, buildProblem, issuesOf, type ProblemInput, problemResponse } from "./problems";

/**
 * One operation of the REST API under /api/v1: its OpenAPI description and its handler, written
 * once. lib/api/openapi.ts builds the OpenAPI document from the operations, and each route file
 * in app/api/v1 exports `apiRoute(operation)`, which authenticates the key, counts the call,
 * validates the input with the same zod schemas the document shows, honours Idempotency-Key on
 * POST, calls the handler (which calls one lib service with the key's actor) and answers problems
 * for every error.
 */
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** 600 requests a minute per key, counted across instances. */
export const API_RATE_LIMIT: RateLimitPolicy = { name: "api", limit: 600, windowSeconds: 60 };
/** A JSON body is small; anything larger is refused before it is read in full. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

type AnyObjectSchema = z.ZodType<Record<string, unknown>>;

/** What a multipart operation's `receive` gets: the key's actor, the parsed path, the request. */
export type MultipartReceiveContext = {
  actor: ApiKeyActor;
  db: Db;
  params: Record<string, unknown>;
  request: Request;
  maxBytes: number;
};

/** A multipart body read as it streamed (its files already where they go), with the SHA-256 of its bytes. */
export type ReceivedMultipart = { sha256: string };

export type ApiBodySpec =
  | { kind: "json"; schema: z.ZodType; maxBytes?: number }
  /**
   * Multipart, streamed: `schema` documents the form's fields; `receive` reads the body as it
   * streams (its files go to the store, never whole in memory) before the Idempotency-Key is
   * claimed, and answers what the handler gets as its body; `discard` drops what it kept when the
   * handler does not take it (a replay, a refused claim). Answers "tooLarge" (413) or
   * "unreadable" (400) for a body that is no form.
   */
  | {
      kind: "multipart";
      schema: z.ZodType;
      maxBytes: number;
      // biome-ignore lint/suspicious/noExplicitAny: each operation names its own received body.
      receive(context: MultipartReceiveContext): Promise<any>;
      // biome-ignore lint/suspicious/noExplicitAny: the same body receive answered.
      discard(body: any): Promise<void>;
    };

export type ApiResponseSpec = {
  description: string;
  /** The body's schema; none for 204. */
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
  /** The same answer in other representations, by content type (the delivery log's CSV beside its JSON). */
  alternatives?: Record<string, z.ZodType>;
  /** Headers this answer carries beside the rate-limit headers (Location on a 201). */
  headers?: z.ZodObject;
};

export type ApiContext<TParams, TQuery, TBody> = {
  actor: ApiKeyActor;
  db: Db;
  params: TParams;
  query: TQuery;
  /** The parsed JSON body, or the form for a multipart body. */
  body: TBody;
  request: Request;
  locale: Locale;
};

/** What a handler answers: a status and a JSON body, or a whole Response (a CSV, a file). */
export type ApiResult = { status: number; body?: unknown; headers?: Record<string, string> } | Response;

export type ApiOperation<
  TParams extends AnyObjectSchema | undefined = AnyObjectSchema | undefined,
  TQuery extends AnyObjectSchema | undefined = AnyObjectSchema | undefined,
  TBody extends ApiBodySpec | undefined = ApiBodySpec | undefined,
> = {
  operationId: string;
  method: HttpMethod;
  /** The path under /api/v1, in OpenAPI's notation: "/dossiers/{dossierId}". */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** The scope the key needs (the service checks it through authorize; this documents it). */
  scope: ApiScope;
  params?: TParams;
  query?: TQuery;
  body?: TBody;
  /** The successful answers; the problems every operation can answer are added by the document. */
  responses: Record<number, ApiResponseSpec>;
  /** Problems this operation answers beyond the common ones (400, 401, 403, 404, 429). */
  problems?: number[];
  handle(
    context: ApiContext<
      TParams extends AnyObjectSchema ? z.output<TParams> : Record<string, never>,
      TQuery extends AnyObjectSchema ? z.output<TQuery> : Record<string, never>,
      TBody extends { kind: "json"; schema: infer S extends z.ZodType }
        ? z.output<S>
        : TBody extends { kind: "multipart"; receive(context: MultipartReceiveContext): Promise<infer R> }
          ? Exclude<R, string>
          : undefined
    >,
  ): Promise<ApiResult>;
};

/** Keeps the operation's literal types (the handler's context is typed from its schemas). */
export function defineApiOperation<
  TParams extends AnyObjectSchema | undefined = undefined,
  TQuery extends AnyObjectSchema | undefined = undefined,
  TBody extends ApiBodySpec | undefined = undefined,
>(operation: ApiOperation<TParams, TQuery, TBody>): ApiOperation<TParams, TQuery, TBody> {
  return operation;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds operations of every shape.
export type AnyApiOperation = ApiOperation<any, any, any>;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * A problem a handler answers itself, for a refusal no service error describes (a field error
 * computed from the query, in the caller's language). Services keep throwing AppErrors.
 */
export class ApiProblemError extends Error {
  constructor(readonly input: ProblemInput) {
    super(input.code);
    this.name = "ApiProblemError";
  }
}

export type ApiRouteHandler = (request: Request, routeContext: RouteContext) => Promise<Response>;

const ROUTE_OPERATIONS = new WeakMap<ApiRouteHandler, AnyApiOperation>();

/** The Next.js route handler of an operation. */
export function apiRoute(operation: AnyApiOperation): ApiRouteHandler {
  const handler: ApiRouteHandler = async (request, routeContext) => {
    const locale = localeFromAcceptLanguage(request.headers.get("accept-language")) ?? "en";
    return handleApiRequest(operation, request, await routeContext.params, locale);
  };
  ROUTE_OPERATIONS.set(handler, operation);
  return handler;
}

/** The operation a route file's export serves, when it was made by apiRoute (the contract test asks). */
export function operationOfRoute(handler: unknown): AnyApiOperation | undefined {
  return typeof handler === "function" ? ROUTE_OPERATIONS.get(handler as ApiRouteHandler) : undefined;
}

async function handleApiRequest(
  operation: AnyApiOperation,
  request: Request,
  rawParams: Record<string, string | string[]>,
  locale: Locale,
): Promise<Response> {
  const problem = (input: ProblemInput, headers: Record<string, string> = {}) =>
    problemResponse(buildProblem(input, locale), headers);
  let db: Db;
  let actor: ApiKeyActor | null;
  try {
    db = await getDb();
    actor = await authenticateApiKey(db, request.headers.get("authorization"));
  } catch (error) {
    return problemResponse(problemOfError(error, locale, "authentication"), retryAfterOf(error));
  }
  if (!actor) {
    return problem({ status: 401, code: "unauthenticated" }, { "WWW-Authenticate": 'Bearer realm="koppel"' });
  }

  let limitHeaders: Record<string, string>;
  try {
    const limit = await consumeRateLimit(db, API_RATE_LIMIT, actor.tokenId);
    limitHeaders = rateLimitHeaders(limit);
    if (!limit.isAllowed) return problem({ status: 429, code: "rate_limited" }, limitHeaders);
  } catch (error) {
    return problemResponse(problemOfError(error, locale, "rate limit"), retryAfterOf(error));
  }

  const respond = (stored: StoredResponse, extra: Record<string, string> = {}) =>
    new Response(stored.status === 204 ? null : stored.body, {
      status: stored.status,
      headers: { ...stored.headers, ...limitHeaders, ...extra },
    });

  let rawBody: Buffer | null = null;
  let received: ReceivedMultipart | null = null;
  let bodyHash = createHash("sha256").update("").digest("hex");
  try {
    if (operation.body?.kind === "multipart") {
      received = await receiveMultipart(operation, { actor, db, request, rawParams });
      bodyHash = received.sha256;
    } else if (operation.body) {
      const read = await readBody(request, operation.body);
      rawBody = read.bytes;
      bodyHash = read.sha256;
    }
  } catch (error) {
    if (error instanceof ApiProblemError) return problem(error.input, limitHeaders);
    if (isAppError(error) || noteDatabaseError(error)) {
      return problemResponse(problemOfError(error, locale, "body"), { ...limitHeaders, ...retryAfterOf(error) });
    }
    console.error("[api] reading the body failed", error);
    return problem({ status: 400, code: "validation_failed", messageKey: "validationFailed" }, limitHeaders);
  }
  // Whatever the handler does not take of a streamed body (a replay, a refused claim) is dropped.
  const discardReceived = async () => {
    if (received && operation.body?.kind === "multipart") {
      await operation.body.discard(received).catch((error: unknown) => {
        console.error("[api] dropping a received body failed", error);
      });
    }
  };

  const idempotencyKey = operation.method === "post" ? request.headers.get("idempotency-key") : null;
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    return problem(
      {
        status: 400,
        code: "validation_failed",
        errors: [{ path: "Idempotency-Key", message: "1 to 255 visible ASCII characters" }],
      },
      limitHeaders,
    );
  }
  let claim: IdempotencyClaim | null = null;
  try {
    claim = idempotencyKey
      ? await claimIdempotencyKey(db, {
          apiKeyId: actor.tokenId,
          idempotencyKey,
          requestTarget: `${operation.method.toUpperCase()} ${new URL(request.url).pathname}`,
          requestHash: bodyHash,
        })
      : null;
  } catch (error) {
    await discardReceived();
    return problemResponse(problemOfError(error, locale, "idempotency claim"), {
      ...limitHeaders,
      ...retryAfterOf(error),
    });
  }
  if (claim && claim.kind !== "run") await discardReceived();
  if (claim?.kind === "replay") return respond(claim.response, { "Idempotent-Replayed": "true" });
  if (claim?.kind === "reused") return problem({ status: 422, code: "idempotency_key_reused" }, limitHeaders);
  if (claim?.kind === "in_progress")
    return problem({ status: 409, code: "idempotency_request_in_progress" }, limitHeaders);

  const runClaim = claim?.kind === "run" ? claim : null;
  // Without a claim to complete, a handler's own Response (a CSV export) streams as it is.
  const outcome = await runOperation(operation, {
    actor,
    db,
    request,
    rawParams,
    rawBody,
    received,
    locale,
    isStreamAllowed: runClaim === null,
  });
  // A handler that took the body made it its own; one that never ran (a bad query) left it here.
  await discardReceived();
  if (outcome instanceof Response) {
    const headers = new Headers(outcome.headers);
    for (const [name, value] of Object.entries(limitHeaders)) headers.set(name, value);
    return new Response(outcome.body, { status: outcome.status, headers });
  }
  if (runClaim) {
    try {
      if (outcome.status >= 500) await runClaim.release();
      else await runClaim.complete(outcome);
    } catch (error) {
      // The answer stands; a retry with the key gets 409 until the claim counts as abandoned.
      console.error("[api] storing the idempotent answer failed", error);
    }
  }
  return respond(outcome);
}

type RunInput = {
  actor: ApiKeyActor;
  db: Db;
  request: Request;
  rawParams: Record<string, string | string[]>;
  rawBody: Buffer | null;
  /** A multipart body, read as it streamed. */
  received: ReceivedMultipart | null;
  locale: Locale;
  /** A handler's Response may be answered as it is (streamed) instead of read into a stored one. */
  isStreamAllowed: boolean;
};

/** Validates the input, calls the handler and turns its answer or its error into one stored response. */
async function runOperation(operation: AnyApiOperation, input: RunInput): Promise<StoredResponse | Response> {
  const { locale } = input;
  const asProblem = (problemInput: ProblemInput): StoredResponse => storedProblem(buildProblem(problemInput, locale));
  try {
    const params = operation.params ? operation.params.safeParse(input.rawParams) : { success: true, data: {} };
    // A malformed id names nothing that exists.
    if (!params.success) return asProblem({ status: 404, code: "not_found", messageKey: "notFound" });

    const query = operation.query
      ? operation.query.safeParse(queryObjectOf(new URL(input.request.url).searchParams))
      : { success: true as const, data: {} };
    if (!query.success) {
      return asProblem({
        status: 400,
        code: "validation_failed",
        messageKey: "validationFailed",
        errors: issuesOf(query.error, locale, "query"),
      });
    }

    let body: unknown;
    if (operation.body?.kind === "json") {
      let json: unknown;
      try {
        json = JSON.parse((input.rawBody ?? Buffer.alloc(0)).toString("utf8"));
      } catch {
        return asProblem({ status: 400, code: "validation_failed", messageKey: "api.malformedJson" });
      }
      const parsed = operation.body.schema.safeParse(json);
      if (!parsed.success) {
        return asProblem({
          status: 400,
          code: "validation_failed",
          messageKey: "validationFailed",
          errors: issuesOf(parsed.error, locale),
        });
      }
      body = parsed.data;
    } else if (operation.body?.kind === "multipart") {
      body = input.received;
    }

    const result = await operation.handle({
      actor: input.actor,
      db: input.db,
      params: params.data,
      query: query.data,
      body,
      request: input.request,
      locale,
    });
    if (result instanceof Response) {
      if (input.isStreamAllowed) return result;
      const headers: Record<string, string> = {};
      result.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return { status: result.status, headers, body: await result.text() };
    }
    return {
      status: result.status,
      headers: {
        ...(result.body === undefined ? {} : { "content-type": "application/json" }),
        "cache-control": "no-store",
        ...result.headers,
      },
      body: result.body === undefined ? "" : JSON.stringify(result.body),
    };
  } catch (error) {
    return storedProblem(problemOfError(error, locale));
  }
}

function storedProblem(problem: ApiProblem): StoredResponse {
  return {
    status: problem.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...(problem.code === "database_unavailable" ? { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } : {}),
    },
    body: JSON.stringify(problem),
  };
}

/** Retry-After for the 503 of a lost database; nothing for other errors. */
function retryAfterOf(error: unknown): Record<string, string> {
  return isDatabaseUnreachable(error) ? { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } : {};
}

/**
 * The problem for an error a service threw: its code and message; never its text. The database
 * out of reach is 503 `database_unavailable` ("your documents are safe"), not a 500.
 */
export function problemOfError(error: unknown, locale: Locale = DEFAULT_LOCALE, stage = "operation"): ApiProblem {
  if (noteDatabaseError(error)) {
    console.error(`[api] ${stage}: the database cannot be reached`, error);
    return buildProblem({ status: 503, code: "database_unavailable", messageKey: "databaseUnavailable" }, locale);
  }
  if (error instanceof ApiProblemError) return buildProblem(error.input, locale);
  if (error instanceof DocumentRefusedError) {
    return buildProblem({ status: 409, code: error.refusal, messageKey: error.messageKey }, locale);
  }
  if (error instanceof DuplicateFileError) {
    return buildProblem(
      { status: 409, code: error.code, messageKey: error.messageKey, existingDocumentId: error.existingDocumentId },
      locale,
    );
  }
  if (error instanceof EInvoiceContradictionError) {
    const { messageKey, messageValues } = error;
    return buildProblem({ status: 409, code: "einvoice_contradiction", messageKey, messageValues }, locale);
  }
  if (isAppError(error)) {
    const t = translatorFor(locale);
    const errors = error.fieldErrors
      ? Object.entries(error.fieldErrors).flatMap(([path, keys]) =>
          keys.map((key) => ({ path, message: t(`errors.${key}` as never) })),
        )
      : undefined;
    return buildProblem(
      {
        status: error.httpStatus,
        code: error.code,
        messageKey: error.messageKey,
        messageValues: error.messageValues,
        errors,
      },
      locale,
    );
  }
  console.error(`[api] ${stage} failed`, error);
  return buildProblem({ status: 500, code: "internal_error" }, locale);
}

/** Repeated query keys become arrays; single ones stay strings. */
function queryObjectOf(searchParams: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(searchParams.keys())) {
    const values = searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return query;
}

/** Refuses a body of the wrong type (415) or too long (413); hashes it for Idempotency-Key. */
function assertContentType(request: Request, spec: ApiBodySpec): void {
  const contentType = (request.headers.get("content-type") ?? "").toLowerCase();
  const expected = spec.kind === "json" ? "application/json" : "multipart/form-data";
  if (!contentType.startsWith(expected)) {
    throw new ApiProblemError({ status: 415, code: "unsupported_media_type", messageValues: { expected } });
  }
}

/**
 * A multipart body, read by its operation as it streams: the path is parsed first (a malformed id
 * names nothing: 404) and the operation authorizes before it reads a byte.
 */
async function receiveMultipart(
  operation: AnyApiOperation,
  input: { actor: ApiKeyActor; db: Db; request: Request; rawParams: Record<string, string | string[]> },
): Promise<ReceivedMultipart> {
  const spec = operation.body;
  if (spec?.kind !== "multipart") throw new Error("not a multipart operation");
  assertContentType(input.request, spec);
  const params = operation.params ? operation.params.safeParse(input.rawParams) : { success: true, data: {} };
  if (!params.success) throw new ApiProblemError({ status: 404, code: "not_found", messageKey: "notFound" });
  const received = await spec.receive({
    actor: input.actor,
    db: input.db,
    params: params.data,
    request: input.request,
    maxBytes: spec.maxBytes,
  });
  if (received === "tooLarge") {
    throw new ApiProblemError({ status: 413, code: "payload_too_large", messageValues: { maxBytes: spec.maxBytes } });
  }
  if (received === "unreadable") {
    throw new ApiProblemError({ status: 400, code: "validation_failed", messageKey: "api.malformedMultipart" });
  }
  return received;
}

async function readBody(request: Request, spec: ApiBodySpec): Promise<LimitedBody> {
  assertContentType(request, spec);
  const maxBytes = spec.maxBytes ?? MAX_JSON_BODY_BYTES;
  const body = await readBodyWithLimit(request, maxBytes);
  if (!body) throw new ApiProblemError({ status: 413, code: "payload_too_large", messageValues: { maxBytes } });
  return body;
}
