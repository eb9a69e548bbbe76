import { z } from "zod";
import { defineJob } from "../types";

/**
 * Every minute: enqueues again the dispatches whose run is taken for dead — `running` with an
 * expired lease (lib/dispatch/lease.ts) — and those `queued` whose retry time came long ago with
 * no run to take them (an event lost after commit). See lib/jobs/handlers/dispatch-sweep.ts. A
 * live lease is never swept. A re-run is safe: it keeps the dispatch id, so the connector's
 * idempotency key and read-back are the same. Both drivers run it; the in-process driver also
 * resumes everything unfinished when the server starts (instrumentation.ts).
 */
export const dispatchSweep = defineJob({
  id: "dispatch-sweep",
  trigger: { cron: "* * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
});
