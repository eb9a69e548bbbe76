import { NonRetriableError, RetryAfterError } from "inngest";
import { isNonRetriableJobError, isRetryAfterJobError } from "@/lib/jobs/errors";
import { parseJobEvent } from "@/lib/jobs/registry";
import {
  type AnyJobDefinition,
  isCronJob,
  type JobHandlerLoader,
  type JobLogger,
  type JobStep,
  lazyJobHandler,
} from "@/lib/jobs/types";
import { inngest } from "../client";

/**
 * Builds the Inngest function of a job definition and its handler. Thin on purpose: the definition
 * carries the flow control and the handler the work; this maps the trigger, retries, concurrency
 * and throttle to Inngest's options (v4: triggers inside the options), the steps to `step.run` /
 * `step.sendEvent`, and the job errors to Inngest's, so both drivers retry alike. The handler is
 * imported when the function first runs, not when Inngest syncs.
 */
export function createInngestFunction(definition: AnyJobDefinition, loadHandler: JobHandlerLoader) {
  const { concurrency, throttle } = definition;
  const handlerOf = lazyJobHandler(definition, loadHandler);
  return inngest.createFunction(
    {
      id: definition.id,
      triggers: [
        "cron" in definition.trigger ? { cron: definition.trigger.cron } : { event: definition.trigger.event },
      ],
      retries: definition.retries,
      ...(concurrency && { concurrency: { key: `event.data.${concurrency.key}`, limit: concurrency.limit } }),
      ...(throttle && {
        throttle: {
          ...(throttle.key && { key: `event.data.${throttle.key}` }),
          limit: throttle.limit,
          period: throttle.period,
        },
      }),
      ...(definition.hasFailureHandler && {
        onFailure: async ({ event, error, logger }) => {
          // The failure event carries the original event; a cron run had no payload.
          const original = isCronJob(definition) ? {} : event.data.event.data;
          await (await handlerOf()).onFailure?.({
            payload: parsePayload(definition, original),
            error: { name: error.name, message: error.message },
            logger: logger as JobLogger,
          });
        },
      }),
    },
    async ({ event, step, logger, attempt }) => {
      const payload = parsePayload(definition, isCronJob(definition) ? {} : event.data);
      const jobStep: JobStep = {
        run: <T>(name: string, fn: () => Promise<T> | T) =>
          step.run(name, async () => {
            try {
              return await fn();
            } catch (error) {
              throw toInngestError(error);
            }
          }) as Promise<T>,
        sendEvents: async (name, events) => {
          const parsed = events.map((e) => parseJobEvent(e.name, e.payload));
          if (parsed.length === 0) return;
          await step.sendEvent(
            name,
            parsed.map((e) => ({ name: e.name, data: e.payload })),
          );
        },
        sleepUntil: async (name, until) => {
          await step.sleepUntil(name, until);
        },
      };
      try {
        const handler = await handlerOf();
        return await handler.run({ payload, step: jobStep, logger: logger as JobLogger, attempt });
      } catch (error) {
        throw toInngestError(error);
      }
    },
  );
}

/** Our job errors as Inngest's; anything else unchanged (Inngest's default backoff applies). */
export function toInngestError(error: unknown): unknown {
  if (isNonRetriableJobError(error)) return new NonRetriableError(error.message, { cause: error });
  if (isRetryAfterJobError(error)) return new RetryAfterError(error.message, error.retryAfter, { cause: error });
  return error;
}

function parsePayload(definition: AnyJobDefinition, data: unknown): Record<string, unknown> {
  const parsed = definition.payloadSchema.safeParse(data ?? {});
  if (!parsed.success) {
    // A bad payload never gets better by retrying.
    throw new NonRetriableError(`Invalid payload for job ${definition.id}: ${parsed.error.message}`);
  }
  return parsed.data;
}
