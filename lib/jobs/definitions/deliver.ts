import { z } from "zod";
import { defineJob, type JobRetries } from "../types";

export const DISPATCH_REQUESTED = "dispatch/dispatch.requested";

/**
 * The driver's retries, for errors around the delivery (the database). A package that is down is
 * not retried through these: the handler records the next try on the dispatch and sleeps until it
 * (step.sleepUntil), for as long as the retry horizon (lib/dispatch/retry-policy.ts, 24 hours).
 */
const DELIVER_RETRIES: JobRetries = 4;

/**
 * Deliveries a minute that may start per throttle key: the rate the throttled connectors declare
 * (lib/dispatch/plan.ts, DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY, from the registry; stated again
 * here, not imported, for the same reason; a test keeps them equal).
 */
const DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY = 30;

/** Longest throttle key a deliver job carries: as lib/dispatch/plan.ts (a test keeps them equal). */
const MAX_THROTTLE_KEY_LENGTH = 200;

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
 * Delivers one dispatch (lib/jobs/handlers/deliver.ts). Each try is one step, so a retry runs the
 * whole try again — claim, load, deliver with the same idempotency key, record — and the driver's
 * backoff (exponential with jitter, or the Retry-After the package asked for) spaces the tries.
 * Concurrency: one run at a time per `concurrencyKey`, which is the connection id for API and FTP
 * and one of a few mail lanes for e-mail (lib/dispatch/plan.ts, concurrencyKeyOf).
 * Throttle: at most DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY run starts a minute per `throttleKey` (a
 * connector's bucket, see DeliveryThrottle in lib/connectors/types.ts: one limit for every key,
 * because Inngest fixes it when the function is defined; the dispatch id for everything
 * unthrottled). Inngest spreads them over the minute
 * and reads the key from the raw event (`event.data.throttleKey`): an event sent before the field
 * existed falls under its rule for a missing key (at worst one shared bucket) until those drain.
 * The in-process driver keeps a one-minute window per key.
 * On failure: the handler fails a dispatch whose tries all died around the delivery.
 */
export const deliver = defineJob({
  id: "deliver",
  trigger: { event: DISPATCH_REQUESTED },
  payloadSchema: deliverPayloadSchema,
  retries: DELIVER_RETRIES,
  concurrency: { key: "concurrencyKey", limit: 1 },
  throttle: { key: "throttleKey", limit: DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY, period: "1m" },
  hasFailureHandler: true,
});
