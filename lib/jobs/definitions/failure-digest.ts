import { z } from "zod";
import { getDb } from "@/db";
import { listFailureDigestRecipients, sendFailureDigest } from "@/lib/digest/send";
import { defineJob } from "../types";

const FAILURE_DIGEST_RETRIES = 2;

/**
 * Daily at 06:23 UTC (07:23 or 08:23 in Brussels, before the office starts; off the full hour):
 * each portal admin with the digest on gets the portal's new failures by mail (lib/digest/send.ts).
 * One step per admin, so a retry after a failed mail does not send the others again; a second run
 * the same day sends nothing new (the last-sent day and the mail's idempotency key).
 */
export const failureDigest = defineJob({
  id: "failure-digest",
  trigger: { cron: "23 6 * * *" },
  payloadSchema: z.object({}),
  retries: FAILURE_DIGEST_RETRIES,
  async handler({ step, logger, attempt }) {
    const recipients = await step.run("list-recipients", async () => listFailureDigestRecipients(await getDb()));
    const counts = { sent: 0, no_failures: 0, already_sent_today: 0, not_recipient: 0, failed: 0 };
    const isLastAttempt = attempt >= FAILURE_DIGEST_RETRIES;
    for (const recipient of recipients) {
      const result = await step.run(`digest-${recipient.memberId}`, async () => {
        try {
          const { outcome } = await sendFailureDigest(await getDb(), recipient.memberId);
          return { outcome };
        } catch (error) {
          // Retried with the job; on the last attempt one admin's mail must not hold back the
          // others. Its failures stay in its window and go out with the next day's digest.
          if (!isLastAttempt) throw error;
          logger.warn("failure digest not sent", {
            memberId: recipient.memberId,
            portalId: recipient.portalId,
            error: error instanceof Error ? error.name : "unknown",
          });
          return { outcome: "failed" as const };
        }
      });
      counts[result.outcome]++;
      if (result.outcome === "sent") {
        logger.info("failure digest sent", { memberId: recipient.memberId, portalId: recipient.portalId });
      }
    }
    return counts;
  },
});
