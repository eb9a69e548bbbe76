import "server-only";
import { sql } from "drizzle-orm";
import { databaseUnreachableSince, setDatabaseUnreachableSince } from "./health-flag";
import { getDb } from "./index";
import { isDatabaseUnreachable } from "./unreachable";

/** How often, while the database is out of reach, a probe asks whether it is back. */
export const DATABASE_PROBE_INTERVAL_MS = 2_000;

declare global {
  var __koppelDatabaseProbe: ReturnType<typeof setInterval> | undefined;
}

/**
 * Notes an error: when it means the database is out of reach, pages answer the 503 page (proxy.ts)
 * from now on, and a probe (`select 1` every DATABASE_PROBE_INTERVAL_MS) lifts that as soon as the
 * database answers again. Returns whether it was such an error.
 */
export function noteDatabaseError(error: unknown): boolean {
  if (!isDatabaseUnreachable(error)) return false;
  if (databaseUnreachableSince() === undefined) {
    setDatabaseUnreachableSince(Date.now());
    console.error("[db] the database cannot be reached; pages answer 503 until it is back");
  }
  globalThis.__koppelDatabaseProbe ??= startProbe();
  return true;
}

function startProbe(): ReturnType<typeof setInterval> {
  let isProbing = false;
  const timer = setInterval(async () => {
    if (isProbing) return;
    isProbing = true;
    try {
      await (await getDb()).execute(sql`select 1`);
      setDatabaseUnreachableSince(undefined);
      clearInterval(timer);
      globalThis.__koppelDatabaseProbe = undefined;
      console.info("[db] the database answers again");
    } catch {
      // Still away: the next tick asks again.
    } finally {
      isProbing = false;
    }
  }, DATABASE_PROBE_INTERVAL_MS);
  timer.unref?.();
  return timer;
}
