import type { z } from "zod";

/**
 * A background job, written once and run by either driver: Inngest (when an Inngest server is
 * configured) or the in-process driver (the embedded default). A job is two modules: its definition
 * (lib/jobs/definitions/: id, trigger, payload schema, flow control), which anyone may import, and
 * its handler (lib/jobs/handlers/: the work, which calls the services), which only the drivers load,
 * on the job's first run (lib/jobs/handler-registry.ts).
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
  /**
   * Waits until `until` (a Date or an ISO string) as a step: the run holds no concurrency slot
   * while it waits, and a later replay passes it at once. Inngest: step.sleepUntil. In process:
   * a timer; the time should also be kept in the database by the caller, since a stop loses it.
   */
  sleepUntil(name: string, until: Date | string): Promise<void>;
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
  TId extends string = string,
  THasFailureHandler extends true | undefined = true | undefined,
> = {
  /** The file name of the definition and of its handler (lib/jobs/handlers/); Inngest's function id. */
  id: TId;
  trigger: TTrigger;
  /** Ids only: a handler loads fresh state itself. Cron jobs take `z.object({})`. */
  payloadSchema: TSchema;
  retries: JobRetries;
  /** At most `limit` runs at once per value of the payload field `key`; the rest wait. */
  concurrency?: { key: JobPayloadKey<z.output<TSchema>>; limit: number };
  /** At most `limit` run starts per `period` (per value of `key` when given); the rest wait. */
  throttle?: { key?: JobPayloadKey<z.output<TSchema>>; limit: number; period: JobPeriod };
  /**
   * The handler has an `onFailure`, run once when the last attempt failed. Declared here, not found
   * on the handler, because Inngest registers the failure function when it syncs, before any
   * handler is loaded.
   */
  hasFailureHandler?: THasFailureHandler;
};

// biome-ignore lint/suspicious/noExplicitAny: a list of definitions with different payloads.
export type AnyJobDefinition = JobDefinition<any, JobTrigger>;

/** What a job's payload is once parsed: what its handler receives. */
export type JobPayload<TDefinition extends AnyJobDefinition> = z.output<TDefinition["payloadSchema"]>;

/**
 * Declares a job: what starts it and how it may run, but not its work, which lives in its handler
 * (lib/jobs/handlers/) so that loading the definitions loads no service code. `const` keeps the id
 * and the event name literal, so `sendJobEvent` can type its payload and the handler registry must
 * name every job.
 */
export function defineJob<
  const TId extends string,
  const TTrigger extends JobTrigger,
  TSchema extends z.ZodType<Record<string, unknown>>,
  const THasFailureHandler extends true | undefined = undefined,
>(
  definition: JobDefinition<TSchema, TTrigger, TId, THasFailureHandler>,
): JobDefinition<TSchema, TTrigger, TId, THasFailureHandler> {
  return definition;
}

/** The work of a job: what the drivers call once its handler module is loaded. */
export type JobHandler<TPayload = Record<string, unknown>> = {
  /** The id of the job it belongs to; the drivers check it when they load the handler. */
  readonly jobId: string;
  run(ctx: JobContext<TPayload>): Promise<unknown>;
  /** Runs once when the last attempt failed (retries spent or a NonRetriableJobError). */
  onFailure?(ctx: JobFailureContext<TPayload>): Promise<void>;
};

/** A handler module, imported on the first run of its job: `() => import("./handlers/deliver")`. */
export type JobHandlerLoader<TPayload = Record<string, unknown>> = () => Promise<{ handler: JobHandler<TPayload> }>;

type JobHandlerFunctions<TDefinition extends AnyJobDefinition> = {
  run(ctx: JobContext<JobPayload<TDefinition>>): Promise<unknown>;
} & (true extends TDefinition["hasFailureHandler"]
  ? { onFailure(ctx: JobFailureContext<JobPayload<TDefinition>>): Promise<void> }
  : { onFailure?: never });

/**
 * Declares the work of a job defined in lib/jobs/definitions/: `run`, and `onFailure` exactly when
 * the definition says it has one.
 */
export function defineJobHandler<TDefinition extends AnyJobDefinition>(
  definition: TDefinition,
  functions: JobHandlerFunctions<TDefinition>,
): JobHandler<JobPayload<TDefinition>> {
  return { jobId: definition.id, ...functions };
}

/**
 * The handler of a definition, imported on first use and then kept; both drivers get their
 * handlers through it. A failed import is not kept: the next run (a retry) imports again. Throws
 * when the loader brings another job's handler, or a handler that disagrees with the definition
 * about `onFailure` (Inngest would never run it, or run a failure function that is not there).
 */
export function lazyJobHandler(definition: AnyJobDefinition, load: JobHandlerLoader): () => Promise<JobHandler> {
  let loading: Promise<JobHandler> | undefined;
  return () => {
    loading ??= load().then(
      ({ handler }) => {
        if (handler.jobId !== definition.id) {
          throw new Error(`The handler loaded for job ${definition.id} belongs to job ${handler.jobId}`);
        }
        if (Boolean(handler.onFailure) !== Boolean(definition.hasFailureHandler)) {
          throw new Error(`Job ${definition.id}: hasFailureHandler and its handler's onFailure disagree`);
        }
        return handler;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
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
