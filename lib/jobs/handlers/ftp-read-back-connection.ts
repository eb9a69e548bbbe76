import { getDb } from "@/db";
import { readBackConnection } from "@/lib/read-back/service";
import { ftpReadBackConnection } from "../definitions/ftp-read-back-connection";
import { defineJobHandler } from "../types";

/** The work of the ftp-read-back-connection job (lib/jobs/definitions/ftp-read-back-connection.ts). */
export const handler = defineJobHandler(ftpReadBackConnection, {
  async run({ payload, step }) {
    return step.run("read-back", async () => readBackConnection(await getDb(), payload.connectionId));
  },
});
