import { z } from "zod";
import { defineJob } from "../types";

/**
 * Every 30 minutes: one read-back request per FTP or API connection with documents sent in the last
 * 30 days and not yet imported (connectors without a read-back are skipped; the name dates from
 * when only FTP had one) (lib/jobs/handlers/ftp-read-back.ts; lib/read-back/service.ts decides
 * which). The read-backs run as separate ftp-read-back-connection jobs, so one slow server does not
 * hold up the others.
 */
export const ftpReadBack = defineJob({
  id: "ftp-read-back",
  trigger: { cron: "*/30 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
