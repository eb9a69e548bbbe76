import { getDb } from "@/db";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { dispatchSweep } from "../definitions/dispatch-sweep";
import { defineJobHandler } from "../types";

/**
 * A `queued` dispatch due for this long with no run having claimed it lost its job (the enqueue
 * after the commit failed, an Inngest event was dropped). Longer than a bulk's wait behind its
 * connection's concurrency and throttle, so a dispatch waiting its turn is not enqueued twice.
 */
export const QUEUED_STRANDED_AFTER_MS = 30 * 60 * 1000;

/** The work of the dispatch-sweep cron (lib/jobs/definitions/dispatch-sweep.ts): resumeUnfinishedDispatches. */
export const handler = defineJobHandler(dispatchSweep, {
  async run({ step }) {
    const requeued = await step.run("requeue-stranded-dispatches", async () =>
      resumeUnfinishedDispatches(await getDb(), {
        sweep: { now: new Date(), queuedStaleBefore: new Date(Date.now() - QUEUED_STRANDED_AFTER_MS) },
      }),
    );
    return { requeued };
  },
});
