import "server-only";
import { and, desc, eq, gt } from "drizzle-orm";
import { type DbOrTx, getDb } from "@/db";
import { rateLimitCounters } from "@/db/schema";
import { clientAddressOf } from "@/lib/http/client-address";
import { consumeRateLimit, type RateLimitPolicy } from "./index";

/**
 * Webhook endpoints check a signature on every request, and every answer tells a guesser
 * something: after BAD_SIGNATURE_POLICY.limit bad signatures (any 401) in one minute from one
 * client address on one route, that client gets 429 for BLOCK_SECONDS. Counted in the database
 * (lib/rate-limit), so the limit holds across instances. The client address comes from
 * lib/http/client-address.ts; without KOPPEL_TRUSTED_PROXIES every client shares one bucket.
 */
export const BAD_SIGNATURE_POLICY: RateLimitPolicy = { name: "webhook-bad-signature", limit: 20, windowSeconds: 60 };
export const BLOCK_SECONDS = 60;

const BLOCK_BUCKET = "webhook-blocked";

/** Seconds the client is still refused on this route, or 0 when it is not. */
export async function badSignatureBlockSeconds(db: DbOrTx, subject: string, now: Date = new Date()): Promise<number> {
  const [block] = await db
    .select({ expiresAt: rateLimitCounters.expiresAt })
    .from(rateLimitCounters)
    .where(and(eq(rateLimitCounters.bucket, `${BLOCK_BUCKET}:${subject}`), gt(rateLimitCounters.expiresAt, now)))
    .orderBy(desc(rateLimitCounters.expiresAt))
    .limit(1);
  return block ? Math.max(1, Math.ceil((block.expiresAt.getTime() - now.getTime()) / 1000)) : 0;
}

/** Counts one bad signature; the one that reaches the limit starts a block of BLOCK_SECONDS. */
export async function recordBadSignature(db: DbOrTx, subject: string, now: Date = new Date()): Promise<void> {
  const verdict = await consumeRateLimit(db, BAD_SIGNATURE_POLICY, subject, now);
  if (verdict.remaining > 0) return;
  await db
    .insert(rateLimitCounters)
    .values({
      bucket: `${BLOCK_BUCKET}:${subject}`,
      windowStart: now,
      count: 1,
      expiresAt: new Date(now.getTime() + BLOCK_SECONDS * 1000),
    })
    .onConflictDoNothing();
}

/**
 * Runs a webhook route's handler unless the client is blocked on `route`, and counts a 401 answer
 * as a bad signature. `route` names the endpoint ("recognition", "recognition:<portalId>",
 * "resend", "package:<packageId>"), so a block on one office's address leaves the others alone.
 */
export async function withBadSignatureLimit(
  request: Request,
  route: string,
  handle: () => Promise<Response>,
): Promise<Response> {
  const db = await getDb();
  const subject = `${route.slice(0, 100)}:${clientAddressOf(request.headers)}`;
  const blockedFor = await badSignatureBlockSeconds(db, subject);
  if (blockedFor > 0) {
    return Response.json(
      {
        type: "urn:koppel:problem:webhooks:too-many-bad-signatures",
        title: "Too many invalid signatures",
        status: 429,
        detail: `Too many requests with an invalid signature; try again in ${blockedFor} seconds.`,
      },
      {
        status: 429,
        headers: {
          "content-type": "application/problem+json",
          "cache-control": "no-store",
          "retry-after": String(blockedFor),
        },
      },
    );
  }
  const response = await handle();
  if (response.status === 401) await recordBadSignature(db, subject);
  return response;
}
