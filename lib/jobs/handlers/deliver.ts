import { getDb } from "@/db";
import { type DeliverResult, deliverDispatch, failUnfinishedDispatch } from "@/lib/dispatch/deliver";
import { deliver } from "../definitions/deliver";
import { defineJobHandler } from "../types";

/**
 * Tries one run may make before it ends and leaves the rest to a fresh run (the sweep or a
 * restart's resume picks the dispatch up by its stored next try time). Keeps an Inngest run far
 * below its 1,000-step limit: 24 hours of backoff capped at 15 minutes is about 100 tries.
 */
export const MAX_TRIES_PER_RUN = 200;

/**
 * The work of the deliver job (lib/jobs/definitions/deliver.ts): lib/dispatch/deliver.ts does each
 * try. A retryable failure does not throw to the driver: the try records the next try time on the
 * dispatch and answers "waiting", and the run sleeps until then (step.sleepUntil: Inngest's sleep,
 * or the in-process driver's timer) and tries again, until Sent, Failed, or the retry horizon. The
 * driver's own retries are left for errors around the delivery (the database).
 */
export const handler = defineJobHandler(deliver, {
  async run({ payload, step }) {
    let expectedAttemptCount: number | undefined;
    let result: DeliverResult = { outcome: "skipped" };
    for (let i = 0; i < MAX_TRIES_PER_RUN; i++) {
      result = await step.run("deliver", async () =>
        deliverDispatch(
          await getDb(),
          payload.dispatchId,
          expectedAttemptCount === undefined ? {} : { expectedAttemptCount },
        ),
      );
      if (result.outcome !== "waiting") return result;
      expectedAttemptCount = result.attemptCount;
      await step.sleepUntil("wait-for-next-try", result.nextAttemptAt);
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
