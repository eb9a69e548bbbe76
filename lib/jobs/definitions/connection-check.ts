import { z } from "zod";
import { defineJob } from "../types";

export const CONNECTION_CHECK_REQUESTED = "connections/connection.check-requested";

/**
 * Checks one connection for real and records its health (lib/jobs/handlers/connection-check.ts).
 * Requested by the connection-health-check cron; one check per connection at a time, so a slow FTP
 * server is never hit by two checks at once. A failed check is a result, not an error: only
 * trouble around the check (the database, say) is retried.
 */
export const connectionCheck = defineJob({
  id: "connection-check",
  trigger: { event: CONNECTION_CHECK_REQUESTED },
  payloadSchema: z.object({ connectionId: z.uuid(), portalId: z.uuid() }),
  retries: 2,
  concurrency: { key: "connectionId", limit: 1 },
});
