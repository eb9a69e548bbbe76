import type { DbOrTx } from "@/db";
import { apiKeys, rateLimitCounters } from "@/db/schema";
import type { AnyApiOperation } from "@/lib/api/operation";
import { API_RATE_LIMIT, apiRoute } from "@/lib/api/operation";
import { displayPrefixOf, generateApiKey, hashApiKey } from "@/lib/api-keys/key";
import { API_SCOPES, type ApiScope } from "@/lib/auth/scopes";

/** Inserts an API key straight into the table (the key service has its own tests) and returns it. */
export async function insertApiKey(
  db: DbOrTx,
  portalId: string,
  options: { role?: "admin" | "accountant"; scopes?: readonly ApiScope[]; expiresAt?: Date | null } = {},
): Promise<{ key: string; id: string }> {
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      portalId,
      name: "test key",
      prefix: displayPrefixOf(key),
      keyHash: hashApiKey(key),
      role: options.role ?? "admin",
      scopes: [...(options.scopes ?? API_SCOPES)],
      expiresAt: options.expiresAt ?? null,
    })
    .returning({ id: apiKeys.id });
  if (!row) throw new Error("no key row");
  return { key, id: row.id };
}

/**
 * Calls an operation's route handler as Next.js would: `path` is the concrete path under /api/v1
 * ("/dossiers/<id>"), path parameters are taken from it by the operation's template.
 */
export async function callApi(
  operation: AnyApiOperation,
  path: string,
  init: { key?: string; body?: BodyInit; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] ??= "application/json";
  }
  const url = new URL(`https://koppel.test/api/v1${path}`);
  const params = paramsOf(operation.path, url.pathname.slice("/api/v1".length));
  // A streamed body needs `duplex: "half"` (undici); Node's RequestInit type does not list it yet.
  const requestInit: RequestInit & { duplex?: "half" } = { method: operation.method.toUpperCase(), headers, body };
  if (body instanceof ReadableStream) requestInit.duplex = "half";
  const request = new Request(url, requestInit);
  return apiRoute(operation)(request, { params: Promise.resolve(params) });
}

function paramsOf(template: string, path: string): Record<string, string> {
  const names = template.split("/");
  const values = path.split("/");
  if (names.length !== values.length) throw new Error(`${path} does not match ${template}`);
  const params: Record<string, string> = {};
  names.forEach((name, index) => {
    const match = /^\{(.+)\}$/.exec(name);
    if (match?.[1]) params[match[1]] = decodeURIComponent(values[index] ?? "");
  });
  return params;
}

/**
 * Spends a key's whole API budget: its counter rows for this window and the next stand at the
 * limit, so the next call is refused whenever the minute turns (no timing in the test).
 */
export async function exhaustRateLimit(db: DbOrTx, apiKeyId: string, now: Date = new Date()): Promise<void> {
  const windowMs = API_RATE_LIMIT.windowSeconds * 1000;
  const current = Math.floor(now.getTime() / windowMs) * windowMs;
  await db
    .insert(rateLimitCounters)
    .values(
      [current, current + windowMs].map((start) => ({
        bucket: `${API_RATE_LIMIT.name}:${apiKeyId}`,
        windowStart: new Date(start),
        count: API_RATE_LIMIT.limit,
        expiresAt: new Date(start + windowMs),
      })),
    )
    .onConflictDoUpdate({
      target: [rateLimitCounters.bucket, rateLimitCounters.windowStart],
      set: { count: API_RATE_LIMIT.limit },
    });
}
