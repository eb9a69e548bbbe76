import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { createInngestFunction } from "./functions/from-definition";

export { inngest } from "./client";

/** One Inngest function per job definition, served at /api/inngest; each imports its handler on its first run. */
export const functions = JOB_DEFINITIONS.map((definition) =>
  createInngestFunction(definition, JOB_HANDLERS[definition.id]),
);
