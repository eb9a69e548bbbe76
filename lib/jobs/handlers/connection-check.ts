import { getDb } from "@/db";
import { systemActor } from "@/lib/auth/actor";
import { runConnectionCheck } from "@/lib/connections/check";
import { NotFoundError } from "@/lib/errors";
import { connectionCheck } from "../definitions/connection-check";
import { NonRetriableJobError } from "../errors";
import { defineJobHandler } from "../types";

/** The work of the connection-check job (lib/jobs/definitions/connection-check.ts): runConnectionCheck. */
export const handler = defineJobHandler(connectionCheck, {
  async run({ payload, step }) {
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
