import { getDb } from "@/db";
import { listConnectionsForReadBack } from "@/lib/read-back/service";
import { ftpReadBack } from "../definitions/ftp-read-back";
import { FTP_READ_BACK_REQUESTED } from "../definitions/ftp-read-back-connection";
import { defineJobHandler } from "../types";

/** Inngest accepts up to 5,000 events per send; stay well below it. */
const EVENTS_PER_SEND = 500;

/** The work of the ftp-read-back cron (lib/jobs/definitions/ftp-read-back.ts). */
export const handler = defineJobHandler(ftpReadBack, {
  async run({ step }) {
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
