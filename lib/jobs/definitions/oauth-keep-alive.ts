import { z } from "zod";
import { getDb } from "@/db";
import { keepAliveConnection, listConnectionsDueForKeepAlive } from "@/lib/connections/oauth";
import { defineJob } from "../types";

/**
 * Daily at 03:17 UTC (a quiet hour, off the full hour): uses every OAuth grant that would die of
 * disuse within ten days (Exact: 30 days after the last refresh), so a connection that delivers
 * nothing for a while stays connected. One loop with a step per connection, one at a time: the
 * list is bounded (KEEP_ALIVE_BATCH), each call by the check timeout, and a package's token
 * endpoint is never hit in parallel. A refused grant marks the connection needs_reauth (the page
 * shows the reconnect button); other failures are logged and tried again the next day, with ten
 * days of margin.
 */
export const oauthKeepAlive = defineJob({
  id: "oauth-keep-alive",
  trigger: { cron: "17 3 * * *" },
  payloadSchema: z.object({}),
  retries: 2,
  async handler({ step, logger }) {
    const due = await step.run("list-due-connections", async () => listConnectionsDueForKeepAlive(await getDb()));
    const counts = { kept_alive: 0, needs_reauth: 0, failed: 0, skipped: 0 };
    for (const connection of due) {
      const result = await step.run(`keep-alive-${connection.id}`, async () =>
        keepAliveConnection(await getDb(), connection.id),
      );
      counts[result.outcome]++;
      if (result.outcome === "failed" || result.outcome === "needs_reauth") {
        logger.warn(`oauth keep-alive: ${result.outcome}`, {
          connectionId: connection.id,
          portalId: connection.portalId,
          errorCode: result.errorCode,
          vendorDetail: result.vendorDetail,
        });
      }
    }
    return counts;
  },
});
