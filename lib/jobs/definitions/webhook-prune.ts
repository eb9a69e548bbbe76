import { z } from "zod";
import { defineJob } from "../types";

/**
 * Daily at 03:41 UTC (a quiet hour, off the full hour): deletes finished webhook deliveries (and
 * their attempts) older than 30 days, so the log keeps a month (lib/webhooks/deliver.ts,
 * pruneFinishedDeliveries). A bulk send with a subscribed endpoint makes a thousand rows at once.
 */
export const webhookPrune = defineJob({
  id: "webhook-prune",
  trigger: { cron: "41 3 * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
