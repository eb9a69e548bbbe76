import { z } from "zod";
import { defineJob } from "../types";

/**
 * Every 15 minutes: one check request per connection that is due (lib/jobs/handlers/
 * connection-health-check.ts; listConnectionsDueForCheck decides which, disabled connections never
 * are). The checks themselves run as separate connection-check jobs, so one slow or failing
 * connection does not hold up the others.
 */
export const connectionHealthCheck = defineJob({
  id: "connection-health-check",
  trigger: { cron: "*/15 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
