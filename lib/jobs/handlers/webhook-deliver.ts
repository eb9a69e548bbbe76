import { getDb } from "@/db";
import { sendDueWebhooks } from "@/lib/webhooks/deliver";
import { webhookDeliver } from "../definitions/webhook-deliver";
import { defineJobHandler } from "../types";

/** The work of the webhook-deliver job (lib/jobs/definitions/webhook-deliver.ts). */
export const handler = defineJobHandler(webhookDeliver, {
  async run({ payload, step }) {
    return step.run("send", async () => sendDueWebhooks(await getDb(), { deliveryId: payload.deliveryId }));
  },
});
