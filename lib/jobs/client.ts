import { assertJobDriverConfig, type JobDriverKind, selectJobDriver } from "./driver";
import type { LocalJobDriver } from "./local-driver";
import type { JobEventMap, JobEventName } from "./registry";

/**
 * The jobs client the rest of lib uses: `sendJobEvent` validates the payload and hands the event
 * to the selected driver (lib/jobs/driver.ts). Registry and drivers are imported lazily: a
 * definition's handler may call a service that sends events, and this keeps that cycle out of
 * module evaluation.
 */

export type JobEventInput = { [N in JobEventName]: { name: N; payload: JobEventMap[N] } }[JobEventName];

/** Sends one event: every job listening to it runs (Inngest, or in this process). */
export async function sendJobEvent<N extends JobEventName>(name: N, payload: JobEventMap[N]): Promise<void> {
  await sendJobEvents([{ name, payload } as JobEventInput]);
}

/** Sends several events at once; all are validated before any is sent. */
export async function sendJobEvents(events: readonly JobEventInput[]): Promise<void> {
  const { parseJobEvent } = await import("./registry");
  const parsed = events.map((event) => parseJobEvent(event.name, event.payload));
  if (parsed.length === 0) return;
  if (selectJobDriver() === "inngest") {
    const { inngest } = await import("@/inngest/client");
    await inngest.send(parsed.map((event) => ({ name: event.name, data: event.payload })));
    return;
  }
  const driver = await getLocalJobDriver();
  for (const event of parsed) driver.enqueue(event.name, event.payload);
}

declare global {
  // On globalThis: Next.js may load this module more than once (instrumentation, route bundles).
  var __koppelLocalJobDriver: Promise<LocalJobDriver> | undefined;
}

/** The process-wide in-process driver with every definition; its crons run once `startJobs` ran. */
export function getLocalJobDriver(): Promise<LocalJobDriver> {
  globalThis.__koppelLocalJobDriver ??= (async () => {
    const [{ LocalJobDriver }, { JOB_DEFINITIONS }] = await Promise.all([
      import("./local-driver"),
      import("./registry"),
    ]);
    return new LocalJobDriver({ definitions: JOB_DEFINITIONS });
  })();
  return globalThis.__koppelLocalJobDriver;
}

/**
 * Called once when a server starts (instrumentation, Node runtime, never during `next build`):
 * checks the Inngest settings, and for the in-process driver starts its cron timer and resumes
 * the dispatches a previous process left unfinished (its runs lived in memory only). With Inngest,
 * runs live in Inngest and continue by themselves.
 */
export async function startJobs(): Promise<JobDriverKind> {
  assertJobDriverConfig();
  const kind = selectJobDriver();
  if (kind === "local") {
    (await getLocalJobDriver()).start();
    console.info("[jobs] no Inngest configured: background jobs run in this process");
    const [{ getDb }, { resumeUnfinishedDispatches }] = await Promise.all([
      import("@/db"),
      import("@/lib/dispatch/resume"),
    ]);
    const resumed = await resumeUnfinishedDispatches(await getDb());
    if (resumed > 0) console.info(`[jobs] resumed ${resumed} unfinished dispatches`);
  }
  return kind;
}

/** Stops the in-process driver and forgets it (tests; a later send creates a fresh one). */
export async function stopLocalJobDriver(): Promise<void> {
  const driver = globalThis.__koppelLocalJobDriver;
  globalThis.__koppelLocalJobDriver = undefined;
  if (driver) await (await driver).stop();
}
