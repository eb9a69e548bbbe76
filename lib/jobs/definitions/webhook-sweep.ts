import { z } from "zod";
import { defineJob } from "../types";

/**
 * Every minute: sends the outgoing webhook deliveries that are due (new ones, and retries whose
 * time has come), mails the admins of endpoints just disabled for failing, and gives up on
 * deliveries past their 24 hours (lib/jobs/handlers/webhook-sweep.ts, lib/webhooks/deliver.ts).
 * Several runs at once (a slow minute, several instances) are safe: a delivery is claimed with
 * FOR UPDATE SKIP LOCKED and a lease. No retries: the next minute is the retry.
 */
export const webhookSweep = defineJob({
  id: "webhook-sweep",
  trigger: { cron: "* * * * *" },
  payloadSchema: z.object({}),
  retries: 0,
});
