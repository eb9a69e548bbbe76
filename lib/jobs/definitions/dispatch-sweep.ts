import { z } from "zod";
import { getDb } from "@/db";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { defineJob } from "../types";

/** A dispatch nobody touched for this long while active has lost its job (enqueue failed, worker died). */
export const STRANDED_AFTER_MS = 30 * 60 * 1000;

/**
 * Every 10 minutes: re-enqueues dispatches that are still queued or running but untouched for 30
 * minutes and not waiting for a Retry-After. The in-process driver resumes on start; this covers
 * Inngest, where an event lost after commit would otherwise leave a document "sending" forever.
 * A re-run is safe: it keeps the dispatch id, so the connector's idempotency key is the same.
 */
export const dispatchSweep = defineJob({
  id: "dispatch-sweep",
  trigger: { cron: "*/10 * * * *" },
  payloadSchema: z.object({}),
  retries: 2,
  async handler({ step }) {
    const requeued = await step.run("requeue-stranded-dispatches", async () =>
      resumeUnfinishedDispatches(await getDb(), { staleBefore: new Date(Date.now() - STRANDED_AFTER_MS) }),
    );
    return { requeued };
  },
});
