import { lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { rateLimitCounters } from "@/db/schema";

/**
 * Fixed-window request limits counted in the database, so a limit holds across every instance:
 * API calls per key, and (for sign-in links, sign-ups and invitations) requests per e-mail
 * address and per client address. One counter row per subject and window; the increment is one
 * upsert, so concurrent requests never lose a count.
 */
export type RateLimitPolicy = {
  /** Names the policy in the bucket and in the RateLimit-Policy header, e.g. "api". */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
};

export type RateLimitVerdict = {
  isAllowed: boolean;
  policy: RateLimitPolicy;
  /** Requests left in this window (0 when refused). */
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
};

/** How often (1 in N calls) a call also deletes counters whose window has ended. */
const CLEANUP_ONE_IN = 200;

/** Counts one request of `subject` under `policy` and says whether it is within the limit. */
export async function consumeRateLimit(
  db: DbOrTx,
  policy: RateLimitPolicy,
  subject: string,
  now: Date = new Date(),
): Promise<RateLimitVerdict> {
  const windowMs = policy.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const windowEnd = new Date(windowStart.getTime() + windowMs);
  const [row] = await db
    .insert(rateLimitCounters)
    .values({ bucket: `${policy.name}:${subject}`, windowStart, count: 1, expiresAt: windowEnd })
    .onConflictDoUpdate({
      target: [rateLimitCounters.bucket, rateLimitCounters.windowStart],
      set: { count: sql`${rateLimitCounters.count} + 1` },
    })
    .returning({ count: rateLimitCounters.count });
  if (Math.random() * CLEANUP_ONE_IN < 1) {
    await db.delete(rateLimitCounters).where(lt(rateLimitCounters.expiresAt, now));
  }
  const count = row?.count ?? 1;
  return {
    isAllowed: count <= policy.limit,
    policy,
    remaining: Math.max(0, policy.limit - count),
    resetSeconds: Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000)),
  };
}

/**
 * The IETF draft's headers (draft-ietf-httpapi-ratelimit-headers): the policy, what is left, and
 * on a refusal Retry-After.
 */
export function rateLimitHeaders(verdict: RateLimitVerdict): Record<string, string> {
  const { policy, remaining, resetSeconds } = verdict;
  const headers: Record<string, string> = {
    "RateLimit-Policy": `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`,
    RateLimit: `"${policy.name}";r=${remaining};t=${resetSeconds}`,
  };
  if (!verdict.isAllowed) headers["Retry-After"] = String(resetSeconds);
  return headers;
}
