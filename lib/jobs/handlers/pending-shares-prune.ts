import { getDb } from "@/db";
import { prunePendingShares } from "@/lib/share/share";
import { pendingSharesPrune } from "../definitions/pending-shares-prune";
import { defineJobHandler } from "../types";

/** The work of the pending-shares-prune cron (lib/jobs/definitions/pending-shares-prune.ts). */
export const handler = defineJobHandler(pendingSharesPrune, {
  async run({ step }) {
    const deleted = await step.run("prune-expired-shares", async () =>
      prunePendingShares(await getDb(), { now: new Date() }),
    );
    return { deleted };
  },
});
