import { z } from "zod";
import { getDb } from "@/db";
import { systemActor } from "@/lib/auth/actor";
import { runConnectionCheck } from "@/lib/connections/check";
import { NotFoundError } from "@/lib/errors";
import { NonRetriableJobError } from "../errors";
import { defineJob } from "../types";

export const CONNECTION_CHECK_REQUESTED = "connections/connection.check-requested";

/**
 * Checks one connection for real and records its health (runConnectionCheck does). Requested by
 * the connection-health-check cron; one check per connection at a time, so a slow FTP server is
 * never hit by two checks at once. A failed check is a result, not an error: only trouble around
 * the check (the database, say) is retried.
 */
export const connectionCheck = defineJob({
  id: "connection-check",
  trigger: { event: CONNECTION_CHECK_REQUESTED },
  payloadSchema: z.object({ connectionId: z.uuid(), portalId: z.uuid() }),
  retries: 2,
  concurrency: { key: "connectionId", limit: 1 },
  async handler({ payload, step }) {
    return step.run("run-connection-check", async () => {
      try {
        const { status } = await runConnectionCheck(
          await getDb(),
          systemActor("connection-health-check"),
          payload.connectionId,
        );
        return { status };
      } catch (error) {
        // Deleted since the cron listed it: nothing to check, now or later.
        if (error instanceof NotFoundError) throw new NonRetriableJobError("connection not found", { cause: error });
        throw error;
      }
    });
  },
});
