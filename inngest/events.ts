import { JOB_DEFINITIONS, JOB_EVENT_SCHEMAS, type JobEventMap, type JobEventName } from "@/lib/jobs/registry";
import { isCronJob } from "@/lib/jobs/types";

/**
 * The events Koppel's functions listen to, with their payload schemas, and the cron schedules.
 * Both are read from the job definitions (lib/jobs/definitions), which are the source of truth.
 */
export const EVENT_SCHEMAS = JOB_EVENT_SCHEMAS;
export type EventName = JobEventName;
export type EventPayloads = JobEventMap;

/** Job id → cron expression, for the scheduled functions. */
export const CRON_SCHEDULES: Readonly<Record<string, string>> = Object.fromEntries(
  JOB_DEFINITIONS.flatMap((definition) => (isCronJob(definition) ? [[definition.id, definition.trigger.cron]] : [])),
);
