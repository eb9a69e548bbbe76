import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { type JobEventInput, runningPostgresJobDriver, sendJobEvents } from "./client";
import { selectJobDriver } from "./driver";
import { parseJobEvent } from "./registry";

/**
 * Sends events as part of the caller's open transaction where the driver can take part in it: the
 * PostgreSQL driver stores their runs in that transaction (its runs are rows of the app's
 * database), so they exist exactly when it commits, and no change is left committed without its
 * run because the process died or the driver failed right after the commit; its commit is the only
 * one. Inngest and the in-process driver cannot: for them the returned function sends the events.
 * Call it once the transaction has committed (for the PostgreSQL driver it wakes this instance's
 * loops). A failure to store them throws inside the transaction, which then rolls back.
 */
export async function sendJobEventsInTransaction(
  tx: DbOrTx,
  events: readonly JobEventInput[],
): Promise<() => Promise<void>> {
  if (events.length === 0) return async () => {};
  if (selectJobDriver() !== "postgres") return () => sendJobEvents(events);
  const parsed = events.map((event) => parseJobEvent(event.name, event.payload));
  const postgres = await runningPostgresJobDriver();
  const queues = await postgres.enqueueEventsInTransaction(
    {
      // Every driver of the app's database (node-postgres, Neon, PGlite) answers with `rows`.
      executeSql: async (text, values) => (await tx.execute(withParameters(text, values))) as { rows: unknown[] },
    },
    parsed,
  );
  return async () => postgres.wakeQueues(queues);
}

/** A statement written with $1, $2, … placeholders (pg-boss's) as drizzle SQL with those values. */
function withParameters(text: string, values: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const query = sql.empty();
  parts.forEach((part, index) => {
    if (index % 2 === 0) query.append(sql.raw(part));
    else query.append(sql`${values[Number(part) - 1] ?? null}`);
  });
  return query;
}
