import { z } from "zod";
import { defineJob } from "../types";

export const FTP_READ_BACK_REQUESTED = "connections/connection.read-back-requested";

/**
 * Asks one FTP connection which of its recently sent files the importer has taken, and marks
 * those documents imported (lib/jobs/handlers/ftp-read-back-connection.ts, readBackConnection).
 * One run per connection at a time. A server that cannot be reached is a result, not an error:
 * the next cron run asks again.
 */
export const ftpReadBackConnection = defineJob({
  id: "ftp-read-back-connection",
  trigger: { event: FTP_READ_BACK_REQUESTED },
  payloadSchema: z.object({ connectionId: z.uuid(), portalId: z.uuid() }),
  retries: 1,
  concurrency: { key: "connectionId", limit: 1 },
});
