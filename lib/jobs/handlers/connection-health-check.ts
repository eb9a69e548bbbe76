import { getDb } from "@/db";
import { listConnectionsDueForCheck } from "@/lib/connections/check";
import { CONNECTION_CHECK_REQUESTED } from "../definitions/connection-check";
import { connectionHealthCheck } from "../definitions/connection-health-check";
import { defineJobHandler } from "../types";

/** Inngest accepts up to 5,000 events per send; stay well below it. */
const EVENTS_PER_SEND = 500;

/** The work of the connection-health-check cron (lib/jobs/definitions/connection-health-check.ts). */
export const handler = defineJobHandler(connectionHealthCheck, {
  async run({ step }) {
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
