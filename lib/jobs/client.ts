import { selectJobDriver } from "./driver";
import type { LocalJobDriver } from "./local-driver";
import type { PostgresJobDriver } from "./postgres/driver";
import { type JobEventMap, type JobEventName, parseJobEvent } from "./registry";

/**
 * The jobs client the rest of lib uses: `sendJobEvent` validates the payload against the job
 * definitions and hands the event to the selected driver (lib/jobs/driver.ts): Inngest, or this
 * process's in-process driver, which lib/jobs/runtime.ts starts. Services import this module, so
 * it reaches no handler and no service: the definitions it reads are data.
 */

export type JobEventInput = { [N in JobEventName]: { name: N; payload: JobEventMap[N] } }[JobEventName];

declare global {
  /**
   * This process's in-process driver, set by lib/jobs/runtime.ts. On globalThis: Next.js may load
   * these modules more than once (instrumentation, route bundles).
   */
  var __koppelLocalJobDriver: Promise<LocalJobDriver> | undefined;
  /**
   * This process's PostgreSQL driver (JOB_DRIVER=postgres), set by lib/jobs/runtime.ts; always on
   * the app's own database (DATABASE_URL), which ./in-transaction.ts relies on.
   */
  var __koppelPostgresJobDriver: Promise<PostgresJobDriver> | undefined;
}

/** Sends one event: every job listening to it runs (Inngest, or in this process). */
export async function sendJobEvent<N extends JobEventName>(name: N, payload: JobEventMap[N]): Promise<void> {
  await sendJobEvents([{ name, payload } as JobEventInput]);
}

/** Sends several events at once; all are validated before any is sent. */
export async function sendJobEvents(events: readonly JobEventInput[]): Promise<void> {
  const parsed = events.map((event) => parseJobEvent(event.name, event.payload));
  if (parsed.length === 0) return;
  const kind = selectJobDriver();
  if (kind === "inngest") {
    // The SDK is loaded only where Inngest runs the jobs.
    const { inngest } = await import("@/inngest/client");
    await inngest.send(parsed.map((event) => ({ name: event.name, data: event.payload })));
    return;
  }
  if (kind === "postgres") {
    await (await runningPostgresJobDriver()).enqueueEvents(parsed);
    return;
  }
  const driver = await globalThis.__koppelLocalJobDriver;
  if (!driver) {
    throw new Error("The in-process job driver is not running in this process: startJobs() starts it");
  }
  for (const event of parsed) driver.enqueue(event.name, event.payload);
}

/** This process's PostgreSQL job driver (JOB_DRIVER=postgres), started by startJobs(). */
export async function runningPostgresJobDriver(): Promise<PostgresJobDriver> {
  const postgres = await globalThis.__koppelPostgresJobDriver;
  if (!postgres) throw new Error("The PostgreSQL job driver is not running in this process: startJobs() starts it");
  return postgres;
}
