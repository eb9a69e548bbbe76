import { and, eq, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { apiIdempotencyKeys } from "@/db/schema";
import { decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";

/**
 * `Idempotency-Key` on POST, scoped per API key (the IETF draft's semantics, as Stripe answers
 * them): the same key with the same body (SHA-256 of the raw bytes) within 24 hours gets the first
 * answer again; with another body or route, 422; while the first request is still running, 409.
 * The claim is one insert, so among concurrent requests with one key exactly one runs.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A first request that has not finished after this long died with its instance: the next request
 * with the key may run. Longer than any request may take (an upload of 20 MB on a slow line).
 */
export const IDEMPOTENCY_ABANDONED_MS = 10 * 60 * 1000;

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type StoredResponse = { status: number; headers: Record<string, string>; body: string };

export type IdempotencyClaim =
  | { kind: "run"; complete(response: StoredResponse): Promise<void>; release(): Promise<void> }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "reused" }
  | { kind: "in_progress" };

type Request = { apiKeyId: string; idempotencyKey: string; requestTarget: string; requestHash: string };

/**
 * The stored answer's body is encrypted: some answers carry a secret that is shown once (a new
 * webhook endpoint's signing secret), and a replay must give it again without the database
 * keeping it in the clear for 24 hours. The context binds the blob to its key and API key.
 */
function storedBodyContext(request: Pick<Request, "apiKeyId" | "idempotencyKey">): string {
  return `api-idempotency:${request.apiKeyId}:${request.idempotencyKey}`;
}

const storedBodySchema = z.object({ body: z.string() });

/** How often (1 in N claims) a claim also deletes the records older than 24 hours. */
const CLEANUP_ONE_IN = 200;

export async function claimIdempotencyKey(db: DbOrTx, request: Request, now = new Date()): Promise<IdempotencyClaim> {
  if (Math.random() * CLEANUP_ONE_IN < 1) {
    await db
      .delete(apiIdempotencyKeys)
      .where(lt(apiIdempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS)));
  }
  const where = and(
    eq(apiIdempotencyKeys.apiKeyId, request.apiKeyId),
    eq(apiIdempotencyKeys.idempotencyKey, request.idempotencyKey),
  );
  const claimed = (createdAt: Date): IdempotencyClaim => {
    const own = and(where, eq(apiIdempotencyKeys.createdAt, createdAt));
    return {
      kind: "run",
      async complete(response) {
        await db
          .update(apiIdempotencyKeys)
          .set({
            responseStatus: response.status,
            responseHeaders: response.headers,
            responseBody: encryptSecrets({ body: response.body }, storedBodyContext(request)),
            completedAt: new Date(),
          })
          .where(own);
      },
      // An answer the client cannot act on (a 5xx): forget the key, so a retry runs again.
      async release() {
        await db.delete(apiIdempotencyKeys).where(own);
      },
    };
  };

  for (let round = 0; round < 2; round += 1) {
    const [inserted] = await db
      .insert(apiIdempotencyKeys)
      .values({ ...request, createdAt: now })
      .onConflictDoNothing()
      .returning({ createdAt: apiIdempotencyKeys.createdAt });
    if (inserted) return claimed(inserted.createdAt);

    const [existing] = await db.select().from(apiIdempotencyKeys).where(where);
    if (!existing) continue; // released meanwhile: claim again
    if (now.getTime() - existing.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) {
      await db.delete(apiIdempotencyKeys).where(and(where, eq(apiIdempotencyKeys.createdAt, existing.createdAt)));
      continue;
    }
    if (existing.requestHash !== request.requestHash || existing.requestTarget !== request.requestTarget) {
      return { kind: "reused" };
    }
    if (existing.responseStatus !== null) {
      return {
        kind: "replay",
        response: {
          status: existing.responseStatus,
          headers: existing.responseHeaders ?? {},
          body:
            existing.responseBody === null
              ? ""
              : storedBodySchema.parse(decryptSecrets(existing.responseBody, storedBodyContext(request))).body,
        },
      };
    }
    if (now.getTime() - existing.createdAt.getTime() < IDEMPOTENCY_ABANDONED_MS) return { kind: "in_progress" };
    // Abandoned: take it over, once (the update matches only the row as it was read).
    const [takenOver] = await db
      .update(apiIdempotencyKeys)
      .set({ createdAt: now })
      .where(
        and(
          where,
          eq(apiIdempotencyKeys.createdAt, existing.createdAt),
          isNull(apiIdempotencyKeys.completedAt),
          lt(apiIdempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_ABANDONED_MS)),
        ),
      )
      .returning({ createdAt: apiIdempotencyKeys.createdAt });
    return takenOver ? claimed(takenOver.createdAt) : { kind: "in_progress" };
  }
  return { kind: "in_progress" };
}
