import "server-only";
import { and, eq, inArray, isNotNull, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { dispatches } from "@/db/schema";
import { loadDossierIntegration } from "@/lib/integrations/load";
import { isLeaseExpired } from "./lease";
import { concurrencyKeyOf, deliveryLanesOf, resolveRoute, throttleKeyOf } from "./plan";
import { type DispatchRequestedEvent, enqueueDispatches, loadRouteThrottleKey } from "./request-send";

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
    /**
     * The sweeper's filter: only `running` dispatches whose lease expired at `now`
     * (lib/dispatch/lease.ts; a live lease is never swept), and `queued` ones untouched since
     * `queuedStaleBefore` whose retry time (if any) has come. Without it: every unfinished one.
     */
    sweep?: { now: Date; queuedStaleBefore: Date };
    /** Only these dispatches (a breaker that closed wakes its lane's; lib/dispatch/breaker.ts). */
    dispatchIds?: readonly string[];
  } = {},
): Promise<number> {
  const conditions: SQL[] = [
    inArray(dispatches.status, ["queued", "running"]),
    // Test sends (no document) run inline and are not jobs.
    isNotNull(dispatches.documentId),
  ];
  if (options.dispatchIds) conditions.push(inArray(dispatches.id, [...options.dispatchIds]));
  const { sweep } = options;
  if (sweep) {
    const strandedQueued = and(
      eq(dispatches.status, "queued"),
      lt(dispatches.updatedAt, sweep.queuedStaleBefore),
      or(isNull(dispatches.nextAttemptAt), lt(dispatches.nextAttemptAt, sweep.now)),
    );
    const swept = or(isLeaseExpired(sweep.now), strandedQueued);
    if (swept) conditions.push(swept);
  }
  const rows = await db
    .select({
      id: dispatches.id,
      portalId: dispatches.portalId,
      dossierId: dispatches.dossierId,
      connectionId: dispatches.connectionId,
    })
    .from(dispatches)
    // Served by dispatches_active_idx.
    .where(and(...conditions));
  const flows = await routeFlowsOf(db, rows);
  const enqueue = options.enqueue ?? enqueueDispatches;
  for (let i = 0; i < rows.length; i += EVENTS_PER_SEND) {
    await enqueue(
      rows.slice(i, i + EVENTS_PER_SEND).map((row) => ({
        dispatchId: row.id,
        concurrencyKey: concurrencyKeyOf({ ...row, lanes: flows.get(row.dossierId)?.lanes }),
        throttleKey: throttleKeyOf(row.id, flows.get(row.dossierId)?.throttleKey ?? null),
      })),
    );
  }
  return rows.length;
}

/**
 * Per dossier of the dispatches that go through a connection (mail has neither): the throttle
 * bucket and the delivery lanes, from the dossier's integration as it is now — the deliver job
 * routes by that too. A dossier whose route cannot be resolved gets neither; its deliveries then
 * fail or pass on their own, one at a time.
 */
async function routeFlowsOf(
  db: Db,
  rows: readonly { portalId: string; dossierId: string; connectionId: string | null }[],
): Promise<Map<string, { throttleKey: string | null; lanes: number }>> {
  const scopes = new Map<string, { portalId: string; dossierId: string }>();
  for (const row of rows) if (row.connectionId) scopes.set(row.dossierId, row);
  const flows = new Map<string, { throttleKey: string | null; lanes: number }>();
  for (const scope of scopes.values()) {
    try {
      const route = await resolveRoute(await loadDossierIntegration(db, scope));
      flows.set(
        scope.dossierId,
        route.ok
          ? {
              throttleKey: await loadRouteThrottleKey(db, scope.portalId, route.route),
              lanes: deliveryLanesOf(route.route),
            }
          : { throttleKey: null, lanes: 1 },
      );
    } catch (error) {
      // A resume must go on whatever one dossier's state: unthrottled is the safe default here,
      // the connector's own rate limiter still guards the package.
      console.warn(`[resume] no throttle key for dossier ${scope.dossierId}`, error);
      flows.set(scope.dossierId, { throttleKey: null, lanes: 1 });
    }
  }
  return flows;
}
