import { type Db, getDb } from "@/db";
import { isDatabaseUnreachable } from "@/db/unreachable";
import { type DeliverResult, deliverDispatch, failUnfinishedDispatch } from "@/lib/dispatch/deliver";
import { deliver } from "../definitions/deliver";
import { defineJobHandler } from "../types";

/** First wait for the database when a try was put back; it doubles up to DATABASE_WAIT_CAP_MS. */
export const DATABASE_WAIT_FIRST_MS = 1_000;
/** Longest wait between two calls while the database is away: a comeback is seen within this. */
export const DATABASE_WAIT_CAP_MS = 10_000;
/**
 * Puts-back one run takes before it fails like any error (and the driver's retry counts): ~4 hours
 * of outage at the cap, and under Inngest's 1,000 steps a run (two steps a round).
 */
export const MAX_DATABASE_WAITS = 490;

/** The wait before call number `round + 1` after `round` puts-back (1-based), with equal jitter. */
export function databaseWaitMs(round: number, random: () => number = Math.random): number {
  const ms = Math.min(DATABASE_WAIT_CAP_MS, DATABASE_WAIT_FIRST_MS * 2 ** Math.max(0, round - 1));
  return Math.round(ms / 2 + (ms / 2) * random());
}

/**
 * The work of the deliver job (lib/jobs/definitions/deliver.ts): lib/dispatch/deliver.ts does it.
 * A try the database was not there for (put back before the package was called) is no failure:
 * the run sleeps as a step and calls again, so neither the dispatch's tries nor the driver's
 * retries are spent on an outage.
 */
export const handler = defineJobHandler(deliver, {
  async run({ payload, step, attempt }) {
    for (let round = 1; ; round++) {
      const result = await step.run("deliver", async (): Promise<DeliverResult> => {
        let db: Db;
        try {
          db = await getDb();
        } catch (error) {
          // The first connection of this process (it opens and migrates lazily) found no database.
          if (isDatabaseUnreachable(error)) return { outcome: "deferred", reason: "database_unreachable" };
          throw error;
        }
        return deliverDispatch(db, payload.dispatchId, { isFinalAttempt: attempt >= deliver.retries });
      });
      if (result.outcome !== "deferred") return result;
      if (round >= MAX_DATABASE_WAITS) throw new Error(`dispatch ${payload.dispatchId}: the database stayed away`);
      await step.sleepUntil("wait-for-database", new Date(Date.now() + databaseWaitMs(round)));
    }
  },
  async onFailure({ payload, logger }) {
    // Normally the try itself failed the document; this catches tries that died around it.
    if (await failUnfinishedDispatch(await getDb(), payload.dispatchId)) {
      logger.warn("deliver gave up outside the delivery; dispatch and document marked failed", {
        dispatchId: payload.dispatchId,
      });
    }
  },
});
