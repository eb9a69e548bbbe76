import { getDb } from "@/db";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { dispatchSweep } from "../definitions/dispatch-sweep";
import { defineJobHandler } from "../types";

/** A dispatch nobody touched for this long while active has lost its job (enqueue failed, worker died). */
export const STRANDED_AFTER_MS = 30 * 60 * 1000;

/** The work of the dispatch-sweep cron (lib/jobs/definitions/dispatch-sweep.ts): resumeUnfinishedDispatches. */
export const handler = defineJobHandler(dispatchSweep, {
  async run({ step }) {
    const requeued = await step.run("requeue-stranded-dispatches", async () =>
      resumeUnfinishedDispatches(await getDb(), { staleBefore: new Date(Date.now() - STRANDED_AFTER_MS) }),
    );
    return { requeued };
  },
});
