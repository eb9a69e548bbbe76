import { z } from "zod";
import { defineJob } from "../types";

/**
 * Daily at 03:17 UTC (a quiet hour, off the full hour): uses every OAuth grant that would die of
 * disuse within ten days (Exact: 30 days after the last refresh), so a connection that delivers
 * nothing for a while stays connected (lib/jobs/handlers/oauth-keep-alive.ts). One loop with a step
 * per connection, one at a time: the list is bounded (KEEP_ALIVE_BATCH), each call by the check
 * timeout, and a package's token endpoint is never hit in parallel. A refused grant marks the
 * connection needs_reauth (the page shows the reconnect button); other failures are logged and
 * tried again the next day, with ten days of margin.
 */
export const oauthKeepAlive = defineJob({
  id: "oauth-keep-alive",
  trigger: { cron: "17 3 * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
