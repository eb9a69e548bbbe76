import { z } from "zod";
import { getDb } from "@/db";
import { deliverDispatch, failUnfinishedDispatch, MAX_DELIVERY_ATTEMPTS } from "@/lib/dispatch/deliver";
import { DELIVERIES_PER_MINUTE_PER_DIVISION, MAX_THROTTLE_KEY_LENGTH } from "@/lib/dispatch/plan";
import { defineJob, type JobRetries } from "../types";

export const DISPATCH_REQUESTED = "dispatch/dispatch.requested";

/** Retries after the first try: five tries in all. */
const DELIVER_RETRIES = (MAX_DELIVERY_ATTEMPTS - 1) as JobRetries;

/**
 * `dispatchId`, plus the flow-control keys lib/dispatch/plan.ts computes: `concurrencyKey`
 * (concurrencyKeyOf) and `throttleKey` (throttleKeyOf). Events sent before the throttle existed
 * carry no throttleKey; they parse with the dispatch id, a bucket of their own.
 */
export const deliverPayloadSchema = z
  .object({
    dispatchId: z.uuid(),
    concurrencyKey: z.string().min(1).max(100),
    throttleKey: z.string().min(1).max(MAX_THROTTLE_KEY_LENGTH).optional(),
  })
  .transform((payload) => ({ ...payload, throttleKey: payload.throttleKey ?? payload.dispatchId }));

export type DeliverPayload = z.output<typeof deliverPayloadSchema>;

/**
 * Delivers one dispatch (lib/dispatch/deliver.ts does the work). Each try is one step, so a retry
 * runs the whole try again — claim, load, deliver with the same idempotency key, record — and the
 * driver's backoff (exponential with jitter, or the Retry-After the package asked for) spaces the
 * tries. Concurrency: one run at a time per `concurrencyKey`, which is the connection id for API
 * and FTP and one of a few mail lanes for e-mail (lib/dispatch/plan.ts, concurrencyKeyOf).
 * Throttle: at most DELIVERIES_PER_MINUTE_PER_DIVISION run starts a minute per `throttleKey` (an
 * Exact division; the dispatch id for everything unthrottled). Inngest spreads them over the minute
 * and reads the key from the raw event (`event.data.throttleKey`): an event sent before the field
 * existed falls under its rule for a missing key (at worst one shared bucket) until those drain.
 * The in-process driver keeps a one-minute window per key.
 */
export const deliver = defineJob({
  id: "deliver",
  trigger: { event: DISPATCH_REQUESTED },
  payloadSchema: deliverPayloadSchema,
  retries: DELIVER_RETRIES,
  concurrency: { key: "concurrencyKey", limit: 1 },
  throttle: { key: "throttleKey", limit: DELIVERIES_PER_MINUTE_PER_DIVISION, period: "1m" },
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
