import { z } from "zod";
import { getDb } from "@/db";
import { listConnectionsForReadBack } from "@/lib/read-back/service";
import { defineJob } from "../types";
import { FTP_READ_BACK_REQUESTED } from "./ftp-read-back-connection";

/** Inngest accepts up to 5,000 events per send; stay well below it. */
const EVENTS_PER_SEND = 500;

/**
 * Every 30 minutes: one read-back request per FTP connection with documents sent in the last 30
 * days and not yet imported (lib/read-back/service.ts decides which). The read-backs run as
 * separate ftp-read-back-connection jobs, so one slow server does not hold up the others.
 */
export const ftpReadBack = defineJob({
  id: "ftp-read-back",
  trigger: { cron: "*/30 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
  async handler({ step }) {
    const due = await step.run("list-connections-for-read-back", async () => listConnectionsForReadBack(await getDb()));
    for (let i = 0; i < due.length; i += EVENTS_PER_SEND) {
      await step.sendEvents(
        `request-read-backs-${i / EVENTS_PER_SEND}`,
        due.slice(i, i + EVENTS_PER_SEND).map((connection) => ({
          name: FTP_READ_BACK_REQUESTED,
          payload: { connectionId: connection.id, portalId: connection.portalId },
        })),
      );
    }
    return { requested: due.length };
  },
});
