import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { createInngestFunction } from "./functions/from-definition";

export { inngest } from "./client";

/** One Inngest function per job definition, served at /api/inngest. */
export const functions = JOB_DEFINITIONS.map(createInngestFunction);
