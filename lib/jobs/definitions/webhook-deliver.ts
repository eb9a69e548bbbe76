import { z } from "zod";
import { defineJob } from "../types";

/**
 * Sends one webhook delivery now, when a person is waiting for it: a test message or a replay
 * from the settings page (lib/webhooks/deliveries.ts). The same sender as the sweep, limited to
 * that delivery; when it is not due (already taken, or gone) it does nothing, and a lost event
 * costs at most a minute (the sweep sends it).
 */
export const webhookDeliver = defineJob({
  id: "webhook-deliver",
  trigger: { event: "webhooks/delivery.requested" },
  payloadSchema: z.object({ deliveryId: z.guid() }),
  retries: 0,
});
