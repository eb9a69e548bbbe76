import { type Db, getDb } from "@/db";
import { isDatabaseUnreachable } from "@/db/unreachable";
import { type DeliverResult, deliverDispatch, failUnfinishedDispatch } from "@/lib/dispatch/deliver";
import { deliver } from "../definitions/deliver";
import { defineJobHandler } from "../types";

/**
 * Tries one run may make before it ends and leaves the rest to a fresh run (the sweep or a
 * restart's resume picks the dispatch up by its stored next try time). Keeps an Inngest run far
 * below its 1,000-step limit: 24 hours of backoff capped at 15 minutes is about 100 tries.
 */
export const MAX_TRIES_PER_RUN = 200;

/** First wait for the database when a try was put back; it doubles up to DATABASE_WAIT_CAP_MS. */
export const DATABASE_WAIT_FIRST_MS = 1_000;
/** Longest wait between two calls while the database is away: a comeback is seen within this. */
export const DATABASE_WAIT_CAP_MS = 10_000;
/**
 * Puts-back one run takes before it fails like any error (and the driver's retry counts): over an
 * hour of outage at the cap, and with MAX_TRIES_PER_RUN under Inngest's 1,000 steps a run (two
 * steps a round).
 */
export const MAX_DATABASE_WAITS = 290;

/** The wait after `round` puts-back in a row (1-based), with equal jitter. */
export function databaseWaitMs(round: number, random: () => number = Math.random): number {
  const ms = Math.min(DATABASE_WAIT_CAP_MS, DATABASE_WAIT_FIRST_MS * 2 ** Math.max(0, round - 1));
  return Math.round(ms / 2 + (ms / 2) * random());
}

/**
 * The work of the deliver job (lib/jobs/definitions/deliver.ts): lib/dispatch/deliver.ts does each
 * try. A retryable failure does not throw to the driver: the try records the next try time on the
 * dispatch and answers "waiting", and the run sleeps until then (step.sleepUntil: Inngest's sleep,
 * or the in-process driver's timer) and tries again, until Sent, Failed, or the retry horizon.
 * A try the database was not there for (put back before the package was called: "deferred") is
 * no try at all: the run sleeps a little (1 s doubling to 10 s) and calls again, so neither the
 * dispatch's tries nor the driver's retries are spent on an outage. The driver's own retries are
 * left for other errors around the delivery.
 */
export const handler = defineJobHandler(deliver, {
  async run({ payload, step }) {
    let expectedAttemptCount: number | undefined;
    let result: DeliverResult = { outcome: "skipped" };
    let databaseWaits = 0;
    for (let i = 0; i < MAX_TRIES_PER_RUN; ) {
      result = await step.run("deliver", async (): Promise<DeliverResult> => {
        let db: Db;
        try {
          db = await getDb();
        } catch (error) {
          // The first connection of this process (it opens and migrates lazily) found no database.
          if (isDatabaseUnreachable(error)) return { outcome: "deferred", reason: "database_unreachable" };
          throw error;
        }
        return deliverDispatch(
          db,
          payload.dispatchId,
          expectedAttemptCount === undefined ? {} : { expectedAttemptCount },
        );
      });
      if (result.outcome === "deferred") {
        databaseWaits++;
        if (databaseWaits >= MAX_DATABASE_WAITS)
          throw new Error(`dispatch ${payload.dispatchId}: the database stayed away`);
        await step.sleepUntil("wait-for-database", new Date(Date.now() + databaseWaitMs(databaseWaits)));
        continue;
      }
      databaseWaits = 0;
      if (result.outcome !== "waiting") return result;
      expectedAttemptCount = result.attemptCount;
      await step.sleepUntil("wait-for-next-try", result.nextAttemptAt);
      i++;
    }
    return result;
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
