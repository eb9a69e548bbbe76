import { z } from "zod";
import { defineJob } from "../types";

/**
 * Daily at 06:23 UTC (07:23 or 08:23 in Brussels, before the office starts; off the full hour):
 * each portal admin with the digest on gets the portal's new failures by mail (lib/jobs/handlers/
 * failure-digest.ts, lib/digest/send.ts). One step per admin, so a retry after a failed mail does
 * not send the others again; a second run the same day sends nothing new (the last-sent day and
 * the mail's idempotency key).
 */
export const failureDigest = defineJob({
  id: "failure-digest",
  trigger: { cron: "23 6 * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
