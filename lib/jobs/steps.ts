import type { AnyJobDefinition, JobEventMessage, JobStep } from "./types";

/**
 * The step API both self-hosted drivers give a handler (the in-process driver and the PostgreSQL
 * driver; Inngest has its own): step keys as Inngest's (a reused name gets ":1", ":2", …), results
 * round-tripped through JSON and kept in a memo so a retry returns them instead of running the step
 * again, and step.sleepUntil ending the attempt with a SleepSignal that the driver turns into a
 * later run. Where the memo lives is the driver's: a Map in memory, a table in PostgreSQL.
 */

/** The completed steps of one run, by step key, as JSON. `set` resolves once the result is kept. */
export type StepMemo = {
  get(key: string): string | undefined;
  set(key: string, json: string): Promise<void> | void;
};

/**
 * Thrown by step.sleepUntil to end the attempt for now: the driver marks the step done (the memo
 * already holds it) and runs the handler again once the time has come. Not an attempt.
 */
export class SleepSignal extends Error {
  constructor(
    readonly stepKey: string,
    readonly until: number,
  ) {
    super(`sleeping until ${new Date(until).toISOString()}`);
    this.name = "SleepSignal";
  }
}

export function createJobStep(options: {
  memo: StepMemo;
  /** Validates every event, then starts their runs (the whole list, or throws before any). */
  sendEvents(events: JobEventMessage[]): Promise<void> | void;
}): JobStep {
  const { memo } = options;
  const seen = new Map<string, number>();
  const stepKey = (name: string) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}:${count}`;
  };
  return {
    run: async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
      const key = stepKey(name);
      const done = memo.get(key);
      if (done !== undefined) return JSON.parse(done) as T;
      const json = JSON.stringify((await fn()) ?? null);
      await memo.set(key, json);
      return JSON.parse(json) as T;
    },
    sendEvents: async (name: string, events: JobEventMessage[]): Promise<void> => {
      const key = stepKey(name);
      if (memo.get(key) !== undefined) return;
      await options.sendEvents(events);
      await memo.set(key, "null");
    },
    sleepUntil: async (name: string, until: Date | string): Promise<void> => {
      const key = stepKey(name);
      if (memo.get(key) !== undefined) return;
      const at = new Date(until).getTime();
      // Kept before the attempt ends: the run that wakes up passes this step at once.
      await memo.set(key, "null");
      if (!(at > Date.now())) return;
      throw new SleepSignal(key, at);
    },
  };
}

/** A payload as the definition's handler receives it; throws a readable error when it does not fit. */
export function parseJobPayload(definition: AnyJobDefinition, payload: unknown): Record<string, unknown> {
  const parsed = definition.payloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i: { path: PropertyKey[]; message: string }) => `${i.path.join(".") || "payload"}: ${i.message}`)
      .join("; ");
    throw new Error(`Invalid payload for job ${definition.id}: ${issues}`);
  }
  return parsed.data;
}

export function describeJobError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The error of a last attempt as onFailure receives it (a plain object, as Inngest hands it). */
export function failureErrorOf(error: unknown): { name: string; message: string } {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  return { name, message };
}
