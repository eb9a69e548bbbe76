import { getDb } from "@/db";
import { listFailureDigestRecipients, sendFailureDigest } from "@/lib/digest/send";
import { failureDigest } from "../definitions/failure-digest";
import { defineJobHandler } from "../types";

/** The work of the failure-digest cron (lib/jobs/definitions/failure-digest.ts). */
export const handler = defineJobHandler(failureDigest, {
  async run({ step, logger, attempt }) {
    const recipients = await step.run("list-recipients", async () => listFailureDigestRecipients(await getDb()));
    const counts = { sent: 0, no_failures: 0, already_sent_today: 0, not_recipient: 0, failed: 0 };
    const isLastAttempt = attempt >= failureDigest.retries;
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
