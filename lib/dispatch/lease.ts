import "server-only";
import { and, eq, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { dispatches } from "@/db/schema";
import { isDatabaseUnreachable } from "@/db/unreachable";

/**
 * The lease on a running dispatch: the one mechanism that tells a run at work from a run that
 * died (a killed process, a lost Inngest step, a worker cut off from the database). Issue 14's job
 * engine reuses it as it is.
 *
 * Contract
 * - Taking: the statement that moves a dispatch to `running` sets `lease_expires_at` to
 *   leaseUntil(now) in the same update (lib/dispatch/deliver.ts, the claim). Nothing else sets it.
 * - Holding: while the run works (reading the file, calling the package, recording), holdLease()
 *   pushes it forward every LEASE_RENEW_MS, and only while the row is still `running`. A renewal
 *   that cannot reach the database is skipped, not retried: the lease then runs out, which is
 *   what it is for.
 * - Ending: every statement that moves the dispatch out of `running` (succeeded, back to
 *   `queued`, failed) clears it (LEASE_RELEASED).
 * - Expired: a `running` dispatch whose lease has passed (or that has none and was untouched for
 *   LEASE_MS: a row from before leases) is taken for dead: isLeaseExpired(now). Only then does the
 *   dispatch-sweep cron (every minute) enqueue it again. A live lease is never swept.
 * - What an expired lease does NOT mean: that the package was not called. The new run keeps the
 *   dispatch id, so the connector's idempotency key and read-back (lib/connections/read-back.ts)
 *   decide whether the package already has the document: at most once does not rest on the
 *   lease, and a late original run that still records finds the dispatch finished (every
 *   finishing update is conditional).
 *
 * So after a database outage or a dead worker nothing stays `running` for longer than
 * LEASE_MS + one sweep interval (plus the outage itself).
 */

/** How long a claim or a renewal answers for the dispatch. */
export const LEASE_MS = 30_000;

/** How often a working run renews its lease: three chances before it runs out. */
export const LEASE_RENEW_MS = 10_000;

/** The dispatch-sweep cron's interval: a dead run's dispatch goes on within LEASE_MS + this. */
export const SWEEP_INTERVAL_MS = 60_000;

/** The lease a claim at `now` takes. */
export function leaseUntil(now: Date): Date {
  return new Date(now.getTime() + LEASE_MS);
}

/** The value of `leaseExpiresAt` in every update that moves a dispatch out of `running`. */
export const LEASE_RELEASED = null;

/**
 * A `running` dispatch whose run is taken for dead at `now`: its lease passed, or it has none (a
 * row claimed before leases existed) and nobody touched it for LEASE_MS.
 */
export function isLeaseExpired(now: Date): SQL {
  const condition = and(
    eq(dispatches.status, "running"),
    or(
      and(isNotNull(dispatches.leaseExpiresAt), lt(dispatches.leaseExpiresAt, now)),
      and(isNull(dispatches.leaseExpiresAt), lt(dispatches.updatedAt, new Date(now.getTime() - LEASE_MS))),
    ),
  );
  // and() of defined parts is never undefined.
  return condition as SQL;
}

/** Pushes the lease forward once; false when the dispatch is no longer running (or the write failed). */
export async function renewLease(db: Db, dispatchId: string, now: Date = new Date()): Promise<boolean> {
  try {
    const rows = await db
      .update(dispatches)
      .set({ leaseExpiresAt: leaseUntil(now) })
      .where(and(eq(dispatches.id, dispatchId), eq(dispatches.status, "running")))
      .returning({ id: dispatches.id });
    return rows.length > 0;
  } catch (error) {
    // Cut off from the database: let the lease run out (see the contract).
    if (isDatabaseUnreachable(error)) return false;
    throw error;
  }
}

export type HeldLease = {
  /** Stops renewing. The statement that finishes the dispatch clears the lease itself. */
  release(): void;
};

/**
 * Renews the lease of a dispatch this run claimed every LEASE_RENEW_MS until release(). The timer
 * never keeps the process alive, and a renewal failure is logged, never thrown.
 */
export function holdLease(db: Db, dispatchId: string, options: { renewEveryMs?: number } = {}): HeldLease {
  let isReleased = false;
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (isReleased) return;
    pending = pending.then(() =>
      renewLease(db, dispatchId).catch((error: unknown) => {
        console.warn(`[lease] dispatch ${dispatchId}: renewal failed`, error);
      }),
    );
  }, options.renewEveryMs ?? LEASE_RENEW_MS);
  timer.unref?.();
  return {
    release() {
      isReleased = true;
      clearInterval(timer);
    },
  };
}

/** The claim's SET of the lease, from the claim's own `now` (a value or a prepared placeholder). */
export function leaseTakenAt(now: SQL): SQL {
  return sql`${now}::timestamptz + ${sql.raw(`interval '${LEASE_MS} milliseconds'`)}`;
}
