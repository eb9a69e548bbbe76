import "server-only";
import { and, eq, gt, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "@/db";
import { connections, deliveryBreakers, dispatches } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { runConnectionCheck } from "@/lib/connections/check";
import { env } from "@/lib/env";
import { resumeUnfinishedDispatches } from "./resume";
import { breakerProbeDelayMs } from "./retry-policy";

/**
 * A breaker per delivery lane (issue 20): a connection, or the mail service as a whole. When
 * BREAKER_THRESHOLD deliveries in a row fail as unreachable (lib/dispatch/retry-policy.ts,
 * UNREACHABLE_CODES), the lane opens: its deliveries wait (no try spent, lib/dispatch/deliver.ts)
 * and one probe at a time runs on the backoff schedule, at most 30 s apart (breakerProbeDelayMs):
 * the connection check for a connection, the waiting delivery itself for the mail service (its
 * idempotency key makes that safe). When the probe or any delivery succeeds the breaker closes and the lane's waiting dispatches are
 * woken at once.
 */

export const BREAKER_THRESHOLD = 3;
export const MAIL_BREAKER_KEY = "mail";

export type BreakerLane = { key: string; portalId: string | null; connectionId: string | null };

/** The lane of a dispatch: its connection, the mail service when Resend sends, or none (local outbox). */
export function breakerLaneOf(dispatch: {
  portalId: string;
  connectionId: string | null;
  channel: string | null;
}): BreakerLane | null {
  if (dispatch.connectionId) {
    return {
      key: `connection:${dispatch.connectionId}`,
      portalId: dispatch.portalId,
      connectionId: dispatch.connectionId,
    };
  }
  if (dispatch.channel === "email" && env().RESEND_API_KEY) {
    return { key: MAIL_BREAKER_KEY, portalId: null, connectionId: null };
  }
  return null;
}

/**
 * breakerLaneOf's key in SQL, so that a dispatch can be read with its lane's breaker in one query
 * (lib/dispatch/deliver.ts, gateDispatch). The reader still compares the row's key with
 * breakerLaneOf's and reads the breaker itself when they differ: this only saves a round trip.
 */
export function breakerLaneKeySql(dispatch: { connectionId: SQL | AnyPgColumn; channel: SQL }): SQL<string | null> {
  const mailKey = env().RESEND_API_KEY ? MAIL_BREAKER_KEY : null;
  return sql<
    string | null
  >`case when ${dispatch.connectionId} is not null then 'connection:' || ${dispatch.connectionId}::text
    when ${dispatch.channel} = 'email' then ${mailKey}::text end`;
}

export type BreakerRow = typeof deliveryBreakers.$inferSelect;

export async function readBreaker(db: Db, key: string): Promise<BreakerRow | undefined> {
  const [row] = await db.select().from(deliveryBreakers).where(eq(deliveryBreakers.key, key));
  return row;
}

export function isOpen(row: BreakerRow | undefined): row is BreakerRow & { openedAt: Date; nextProbeAt: Date } {
  return Boolean(row?.openedAt && row.nextProbeAt);
}

/**
 * One unreachable failure on the lane: counts it, and opens the breaker at the threshold with its
 * first probe one backoff step away. Returns the row as it now stands.
 */
export async function recordUnreachable(db: Db, lane: BreakerLane, code: string, now = new Date()) {
  const firstProbe = new Date(now.getTime() + breakerProbeDelayMs(1));
  const [row] = await db
    .insert(deliveryBreakers)
    .values({
      key: lane.key,
      portalId: lane.portalId,
      connectionId: lane.connectionId,
      failures: 1,
      failingSince: now,
      lastErrorCode: code,
      updatedAt: now,
      ...(BREAKER_THRESHOLD <= 1 && { openedAt: now, nextProbeAt: firstProbe }),
    })
    .onConflictDoUpdate({
      target: deliveryBreakers.key,
      set: {
        failures: sql`${deliveryBreakers.failures} + 1`,
        lastErrorCode: code,
        updatedAt: now,
        openedAt: sql`case when ${deliveryBreakers.openedAt} is null and ${deliveryBreakers.failures} + 1 >= ${BREAKER_THRESHOLD}
          then ${now.toISOString()}::timestamptz else ${deliveryBreakers.openedAt} end`,
        nextProbeAt: sql`case when ${deliveryBreakers.openedAt} is null and ${deliveryBreakers.failures} + 1 >= ${BREAKER_THRESHOLD}
          then ${firstProbe.toISOString()}::timestamptz else ${deliveryBreakers.nextProbeAt} end`,
      },
    })
    .returning();
  return row;
}

/**
 * Takes the probe of an open breaker whose probe time has come: moves the next probe one backoff
 * step on (at most 30 s), only if nobody else took it first (the same `nextProbeAt` still there).
 * True: this caller probes now.
 */
export async function takeProbe(db: Db, row: BreakerRow & { nextProbeAt: Date }, now = new Date()): Promise<boolean> {
  const next = new Date(now.getTime() + breakerProbeDelayMs(row.probes + 2));
  const taken = await db
    .update(deliveryBreakers)
    .set({ nextProbeAt: next, probes: sql`${deliveryBreakers.probes} + 1`, updatedAt: now })
    .where(and(eq(deliveryBreakers.key, row.key), eq(deliveryBreakers.nextProbeAt, row.nextProbeAt)))
    .returning({ key: deliveryBreakers.key });
  return taken.length > 0;
}

/** Runs the probe of a connection's breaker: the connection check. True when it answered. */
export async function probeConnection(db: Db, connectionId: string): Promise<boolean> {
  try {
    const result = await runConnectionCheck(db, systemActor("breaker-probe"), connectionId);
    return result.status === "connected";
  } catch (error) {
    console.warn(`[breaker] probe of connection ${connectionId} failed`, error);
    return false;
  }
}

/**
 * The lane answered: forgets its breaker and, when it was open, wakes the dispatches that wait on
 * it (next try now, a fresh deliver run each). Returns how many were woken.
 */
export async function closeBreaker(
  db: Db,
  lane: BreakerLane,
  options: { enqueue?: NonNullable<Parameters<typeof resumeUnfinishedDispatches>[1]>["enqueue"] } = {},
): Promise<number> {
  const [closed] = await db
    .delete(deliveryBreakers)
    .where(eq(deliveryBreakers.key, lane.key))
    .returning({ openedAt: deliveryBreakers.openedAt });
  if (!closed?.openedAt) return 0;
  const now = new Date();
  const woken = await db
    .update(dispatches)
    .set({ nextAttemptAt: now, updatedAt: now })
    .where(
      and(
        eq(dispatches.status, "queued"),
        gt(dispatches.nextAttemptAt, now),
        lane.connectionId
          ? eq(dispatches.connectionId, lane.connectionId)
          : and(isNull(dispatches.connectionId), sql`${dispatches.target}->>'channel' = 'email'`),
      ),
    )
    .returning({ id: dispatches.id });
  if (woken.length === 0) return 0;
  await resumeUnfinishedDispatches(db, { dispatchIds: woken.map((w) => w.id), enqueue: options.enqueue });
  return woken.length;
}

/**
 * What is unreachable now for an office: its connections whose breaker is open (label, since when,
 * next probe), and the mail service when its breaker is open. For the connection cards and the
 * failure queue. Needs no permission beyond seeing the office's pages (callers checked it).
 */
export async function listUnreachable(
  db: Db,
  portalId: string,
): Promise<
  { key: string; connectionId: string | null; label: string | null; since: Date; nextProbeAt: Date | null }[]
> {
  const rows = await db
    .select({
      key: deliveryBreakers.key,
      connectionId: deliveryBreakers.connectionId,
      label: connections.label,
      since: deliveryBreakers.failingSince,
      nextProbeAt: deliveryBreakers.nextProbeAt,
    })
    .from(deliveryBreakers)
    .leftJoin(connections, eq(connections.id, deliveryBreakers.connectionId))
    .where(
      and(
        isNotNull(deliveryBreakers.openedAt),
        or(eq(deliveryBreakers.portalId, portalId), eq(deliveryBreakers.key, MAIL_BREAKER_KEY)),
      ),
    )
    .orderBy(deliveryBreakers.failingSince);
  return rows;
}

/** The mail service's breaker when open (shown to every office with mail deliveries). */
export async function openMailBreaker(db: Db) {
  const row = await readBreaker(db, MAIL_BREAKER_KEY);
  return isOpen(row) ? row : null;
}
