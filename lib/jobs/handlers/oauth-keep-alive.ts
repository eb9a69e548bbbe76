import { getDb } from "@/db";
import { keepAliveConnection, listConnectionsDueForKeepAlive } from "@/lib/connections/oauth";
import { oauthKeepAlive } from "../definitions/oauth-keep-alive";
import { defineJobHandler } from "../types";

/** The work of the oauth-keep-alive cron (lib/jobs/definitions/oauth-keep-alive.ts). */
export const handler = defineJobHandler(oauthKeepAlive, {
  async run({ step, logger }) {
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
