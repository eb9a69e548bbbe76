import "server-only";
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { callBudgets, rateLimitCounters } from "@/db/schema";
import type { CallLimitStore } from "@/lib/connectors/types";

/** Events of a key live in rate_limit_counters under this bucket prefix. */
const EVENT_BUCKET_PREFIX = "call-events:";

/**
 * A package's call limits in the database, so every instance counts against the same budget and
 * the same error breaker (ConnectorContext.callLimits; the same SQL on PGlite and PostgreSQL):
 * - the budget state of a key is one row of `call_budgets`, changed by compare-and-set on its
 *   version (an insert that loses to another for a key seen for the first time reads again), so
 *   two instances never both spend the last unit;
 * - events (error answers) are rows of `rate_limit_counters` (bucket `call-events:<key>`, one row
 *   per millisecond, expiring after the breaker's window), counted over the window when asked.
 */
export function databaseCallLimitStore(db: DbOrTx): CallLimitStore {
  return {
    async change(key, decide) {
      // Optimistic: read, decide, write only over the version read; when another call (of this
      // instance or another) changed the key in between, decide again on what it stored. Two
      // round trips per change and no lock held across them.
      for (;;) {
        const [row] = await db
          .select({ state: callBudgets.state, version: callBudgets.version })
          .from(callBudgets)
          .where(eq(callBudgets.key, key));
        const { next, result } = decide(row?.state ?? null);
        if (next === undefined) return result;
        const written = row
          ? await db
              .update(callBudgets)
              .set({ state: next, version: row.version + 1, updatedAt: new Date() })
              .where(and(eq(callBudgets.key, key), eq(callBudgets.version, row.version)))
              .returning({ key: callBudgets.key })
          : await db
              .insert(callBudgets)
              .values({ key, state: next, version: 1 })
              .onConflictDoNothing()
              .returning({ key: callBudgets.key });
        if (written.length > 0) return result;
      }
    },

    async recordEvent(key, at, keepMs) {
      const bucket = `${EVENT_BUCKET_PREFIX}${key}`;
      await db
        .insert(rateLimitCounters)
        .values({ bucket, windowStart: new Date(at), count: 1, expiresAt: new Date(at + keepMs) })
        .onConflictDoUpdate({
          target: [rateLimitCounters.bucket, rateLimitCounters.windowStart],
          set: { count: sql`${rateLimitCounters.count} + 1` },
        });
      // Events are rare (error answers): forget this key's expired ones while we are here.
      await db
        .delete(rateLimitCounters)
        .where(and(eq(rateLimitCounters.bucket, bucket), lt(rateLimitCounters.expiresAt, new Date(at))));
    },

    async eventsSince(key, since) {
      const rows = await db
        .select({ at: rateLimitCounters.windowStart, count: rateLimitCounters.count })
        .from(rateLimitCounters)
        .where(
          and(
            eq(rateLimitCounters.bucket, `${EVENT_BUCKET_PREFIX}${key}`),
            gt(rateLimitCounters.windowStart, new Date(since)),
          ),
        )
        .orderBy(asc(rateLimitCounters.windowStart));
      return rows.flatMap((row) => Array.from({ length: row.count }, () => row.at.getTime()));
    },
  };
}
