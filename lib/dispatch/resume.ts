import "server-only";
import { and, inArray, isNotNull, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { dispatches } from "@/db/schema";
import { concurrencyKeyOf } from "./plan";
import { type DispatchRequestedEvent, enqueueDispatches } from "./request-send";

/** Events per send: Inngest takes up to 5,000 in one call; stay well below it. */
const EVENTS_PER_SEND = 500;

/**
 * Re-enqueues every dispatch left `queued` or `running` (the process stopped while they waited,
 * backed off or ran). A `running` one is simply tried again: it keeps its id, so the connector
 * gets the same idempotency key and the package does not receive the document twice. Called when
 * the in-process driver starts; returns how many were re-enqueued.
 */
export async function resumeUnfinishedDispatches(
  db: Db,
  options: {
    enqueue?: (events: DispatchRequestedEvent[]) => Promise<void>;
    /** Only dispatches untouched since then whose retry time (if any) has come: the sweeper's filter. */
    staleBefore?: Date;
  } = {},
): Promise<number> {
  const conditions: SQL[] = [
    inArray(dispatches.status, ["queued", "running"]),
    // Test sends (no document) run inline and are not jobs.
    isNotNull(dispatches.documentId),
  ];
  if (options.staleBefore) {
    conditions.push(lt(dispatches.updatedAt, options.staleBefore));
    const due = or(isNull(dispatches.nextAttemptAt), lt(dispatches.nextAttemptAt, new Date()));
    if (due) conditions.push(due);
  }
  const rows = await db
    .select({ id: dispatches.id, connectionId: dispatches.connectionId })
    .from(dispatches)
    // Served by dispatches_active_idx.
    .where(and(...conditions));
  const enqueue = options.enqueue ?? enqueueDispatches;
  for (let i = 0; i < rows.length; i += EVENTS_PER_SEND) {
    await enqueue(
      rows.slice(i, i + EVENTS_PER_SEND).map((row) => ({ dispatchId: row.id, concurrencyKey: concurrencyKeyOf(row) })),
    );
  }
  return rows.length;
}
