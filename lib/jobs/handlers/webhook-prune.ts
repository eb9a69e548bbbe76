import { getDb } from "@/db";
import { pruneFinishedDeliveries } from "@/lib/webhooks/deliver";
import { webhookPrune } from "../definitions/webhook-prune";
import { defineJobHandler } from "../types";

/** The work of the webhook-prune cron (lib/jobs/definitions/webhook-prune.ts). */
export const handler = defineJobHandler(webhookPrune, {
  async run({ step }) {
    const deleted = await step.run("prune-finished-deliveries", async () =>
      pruneFinishedDeliveries(await getDb(), { now: new Date() }),
    );
    return { deleted };
  },
});
