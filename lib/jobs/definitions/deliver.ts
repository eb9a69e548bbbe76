import { z } from "zod";
import { getDb } from "@/db";
import { deliverDispatch, failUnfinishedDispatch, MAX_DELIVERY_ATTEMPTS } from "@/lib/dispatch/deliver";
import { defineJob, type JobRetries } from "../types";

export const DISPATCH_REQUESTED = "dispatch/dispatch.requested";

/** Retries after the first try: five tries in all. */
const DELIVER_RETRIES = (MAX_DELIVERY_ATTEMPTS - 1) as JobRetries;

/**
 * Delivers one dispatch (lib/dispatch/deliver.ts does the work). Each try is one step, so a retry
 * runs the whole try again — claim, load, deliver with the same idempotency key, record — and the
 * driver's backoff (exponential with jitter, or the Retry-After the package asked for) spaces the
 * tries. Concurrency: one run at a time per `concurrencyKey`, which is the connection id for API
 * and FTP and one of a few mail lanes for e-mail (lib/dispatch/plan.ts, concurrencyKeyOf).
 */
export const deliver = defineJob({
  id: "deliver",
  trigger: { event: DISPATCH_REQUESTED },
  payloadSchema: z.object({ dispatchId: z.uuid(), concurrencyKey: z.string().min(1).max(100) }),
  retries: DELIVER_RETRIES,
  concurrency: { key: "concurrencyKey", limit: 1 },
  async handler({ payload, step, attempt }) {
    return step.run("deliver", async () =>
      deliverDispatch(await getDb(), payload.dispatchId, { isFinalAttempt: attempt >= DELIVER_RETRIES }),
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
