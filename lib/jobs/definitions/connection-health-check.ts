import { z } from "zod";
import { getDb } from "@/db";
import { listConnectionsDueForCheck } from "@/lib/connections/check";
import { defineJob } from "../types";
import { CONNECTION_CHECK_REQUESTED } from "./connection-check";

/** Inngest accepts up to 5,000 events per send; stay well below it. */
const EVENTS_PER_SEND = 500;

/**
 * Every 15 minutes: one check request per connection that is due (listConnectionsDueForCheck
 * decides which; disabled connections never are). The checks themselves run as separate
 * connection-check jobs, so one slow or failing connection does not hold up the others.
 */
export const connectionHealthCheck = defineJob({
  id: "connection-health-check",
  trigger: { cron: "*/15 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
  async handler({ step }) {
    const due = await step.run("list-due-connections", async () => listConnectionsDueForCheck(await getDb()));
    for (let i = 0; i < due.length; i += EVENTS_PER_SEND) {
      await step.sendEvents(
        `request-checks-${i / EVENTS_PER_SEND}`,
        due.slice(i, i + EVENTS_PER_SEND).map((connection) => ({
          name: CONNECTION_CHECK_REQUESTED,
          payload: { connectionId: connection.id, portalId: connection.portalId },
        })),
      );
    }
    return { requested: due.length };
  },
});
