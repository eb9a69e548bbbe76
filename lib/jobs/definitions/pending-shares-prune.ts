import { z } from "zod";
import { defineJob } from "../types";

/**
 * Hourly at :37 (off the full hour): deletes the files shared from a phone that waited more than
 * 24 hours for their person to pick a dossier, with their stored copies (lib/share/share.ts,
 * prunePendingShares). So a share nobody picks is gone within 25 hours.
 */
export const pendingSharesPrune = defineJob({
  id: "pending-shares-prune",
  trigger: { cron: "37 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
