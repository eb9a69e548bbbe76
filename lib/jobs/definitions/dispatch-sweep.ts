import { z } from "zod";
import { defineJob } from "../types";

/**
 * Every 10 minutes: re-enqueues dispatches that are still queued or running but untouched for 30
 * minutes and not waiting for a Retry-After (lib/jobs/handlers/dispatch-sweep.ts). The in-process
 * driver's dispatches are resumed when the server starts (instrumentation.ts); this covers Inngest,
 * where an event lost after commit would otherwise leave a document "sending" forever. A re-run is
 * safe: it keeps the dispatch id, so the connector's idempotency key is the same.
 */
export const dispatchSweep = defineJob({
  id: "dispatch-sweep",
  trigger: { cron: "*/10 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
