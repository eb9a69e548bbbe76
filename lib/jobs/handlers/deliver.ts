import { getDb } from "@/db";
import { deliverDispatch, failUnfinishedDispatch } from "@/lib/dispatch/deliver";
import { deliver } from "../definitions/deliver";
import { defineJobHandler } from "../types";

/** The work of the deliver job (lib/jobs/definitions/deliver.ts): lib/dispatch/deliver.ts does it. */
export const handler = defineJobHandler(deliver, {
  async run({ payload, step, attempt }) {
    return step.run("deliver", async () =>
      deliverDispatch(await getDb(), payload.dispatchId, { isFinalAttempt: attempt >= deliver.retries }),
    );
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
