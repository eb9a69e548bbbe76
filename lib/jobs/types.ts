import type { z } from "zod";

/**
 * A background job, written once and run by either driver: Inngest (when an Inngest server is
 * configured) or the in-process driver (the embedded default).
 */

/** What starts a job: an event sent with `sendJobEvent`, or a 5-field cron schedule (UTC). */
export type JobTrigger = { event: string } | { cron: string };

/** Retries after the first attempt (Inngest accepts 0–20). */
export type JobRetries = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20;

/** A period in Inngest's notation: "30s", "1m", "2h", "1d". */
export type JobPeriod = `${number}${"s" | "m" | "h" | "d"}`;

/** A top-level field of the payload; its value keys concurrency or throttling. */
export type JobPayloadKey<TPayload> = Extract<keyof TPayload, string>;

export type JobLogger = {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
};

/** An event to send from inside a job; its payload is validated against the event's schema. */
export type JobEventMessage = { name: string; payload: Record<string, unknown> };

/**
 * The steps a handler may take. Each external side effect gets its own named step; a step that
 * succeeded is not run again when a later step fails and the job is retried. Step results must be
 * small and JSON-serialisable (Inngest stores them; the in-process driver round-trips them through
 * JSON too, so both drivers hand back the same shapes).
 */
export type JobStep = {
  run<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** Sends events as one step, so a retry does not fan out twice. */
  sendEvents(name: string, events: JobEventMessage[]): Promise<void>;
};

export type JobContext<TPayload> = {
  payload: TPayload;
  step: JobStep;
  logger: JobLogger;
  /** 0 on the first attempt, 1 on the first retry, … */
  attempt: number;
};

export type JobFailureContext<TPayload> = {
  payload: TPayload;
  /** The error of the last attempt (as a plain object: Inngest serialises it). */
  error: { name: string; message: string };
  logger: JobLogger;
};

export type JobDefinition<
  TSchema extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
  TTrigger extends JobTrigger = JobTrigger,
> = {
  /** Equals the definition's file name in lib/jobs/definitions/; Inngest's function id. */
  id: string;
  trigger: TTrigger;
  /** Ids only: a handler loads fresh state itself. Cron jobs take `z.object({})`. */
  payloadSchema: TSchema;
  retries: JobRetries;
  /** At most `limit` runs at once per value of the payload field `key`; the rest wait. */
  concurrency?: { key: JobPayloadKey<z.output<TSchema>>; limit: number };
  /** At most `limit` run starts per `period` (per value of `key` when given); the rest wait. */
  throttle?: { key?: JobPayloadKey<z.output<TSchema>>; limit: number; period: JobPeriod };
  handler(ctx: JobContext<z.output<TSchema>>): Promise<unknown>;
  /** Runs once when the last attempt failed (retries spent or a NonRetriableJobError). */
  onFailure?(ctx: JobFailureContext<z.output<TSchema>>): Promise<void>;
};

// biome-ignore lint/suspicious/noExplicitAny: a list of definitions with different payloads.
export type AnyJobDefinition = JobDefinition<any, JobTrigger>;

/** Declares a job; `const` keeps the event name literal so `sendJobEvent` can type its payload. */
export function defineJob<const TTrigger extends JobTrigger, TSchema extends z.ZodType<Record<string, unknown>>>(
  definition: JobDefinition<TSchema, TTrigger>,
): JobDefinition<TSchema, TTrigger> {
  return definition;
}

export function isCronJob(
  definition: AnyJobDefinition,
): definition is AnyJobDefinition & { trigger: { cron: string } } {
  return "cron" in definition.trigger;
}

export function jobEventName(definition: AnyJobDefinition): string | undefined {
  return "event" in definition.trigger ? definition.trigger.event : undefined;
}

const PERIOD_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function periodToMs(period: JobPeriod): number {
  const unit = period.slice(-1) as keyof typeof PERIOD_UNIT_MS;
  return Number(period.slice(0, -1)) * PERIOD_UNIT_MS[unit];
}
