import { getDb } from "@/db";
import { CLAIM_BATCH, sendDueWebhooks } from "@/lib/webhooks/deliver";
import { notifyDisabledEndpoints } from "@/lib/webhooks/notify";
import { webhookSweep } from "../definitions/webhook-sweep";
import { defineJobHandler } from "../types";

/** Batches one run sends at most: a full minute's backlog waits for the next run (or another instance). */
export const MAX_BATCHES_PER_RUN = 10;

/** The work of the webhook-sweep cron (lib/jobs/definitions/webhook-sweep.ts). */
export const handler = defineJobHandler(webhookSweep, {
  async run({ step, logger }) {
    const notified = await step.run("notify-disabled-endpoints", async () => {
      try {
        return await notifyDisabledEndpoints(await getDb());
      } catch (error) {
        // The endpoint stays "not yet told": the next minute tries again. Sending must go on.
        logger.warn("webhook disabled notice not sent", { error: error instanceof Error ? error.name : "unknown" });
        return 0;
      }
    });
    const totals = { claimed: 0, succeeded: 0, retrying: 0, failed: 0, disabled: 0, notified };
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const summary = await step.run(`send-batch-${batch}`, async () => sendDueWebhooks(await getDb()));
      totals.claimed += summary.claimed;
      totals.succeeded += summary.succeeded;
      totals.retrying += summary.retrying;
      totals.failed += summary.failed;
      totals.disabled += summary.disabled;
      if (summary.claimed < CLAIM_BATCH) break;
    }
    if (totals.disabled > 0) {
      totals.notified += await step.run("notify-newly-disabled", async () => notifyDisabledEndpoints(await getDb()));
    }
    if (totals.claimed > 0) logger.info("webhooks sent", totals);
    return totals;
  },
});
