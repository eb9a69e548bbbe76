import { env } from "@/lib/env";
import { assertJobDriverConfig, type JobDriverKind, selectJobDriver } from "./driver";
import { JOB_HANDLERS } from "./handler-registry";
import { LocalJobDriver } from "./local-driver";
import { PostgresJobDriver, type PostgresJobDriverOptions } from "./postgres/driver";
import { JOB_DEFINITIONS } from "./registry";

/**
 * The jobs of this process: the in-process driver built from every definition and its handler,
 * where lib/jobs/client.ts hands it the events. Imported by whoever starts the jobs
 * (instrumentation.ts, tests, scripts), never by the services, because through the handlers it
 * reaches them all.
 */

/** The process-wide in-process driver, created on first use; its crons run once `startJobs` ran. */
export function getLocalJobDriver(): Promise<LocalJobDriver> {
  globalThis.__koppelLocalJobDriver ??= Promise.resolve(
    new LocalJobDriver({ definitions: JOB_DEFINITIONS, handlers: JOB_HANDLERS }),
  );
  return globalThis.__koppelLocalJobDriver;
}

/**
 * Called once when a server starts (instrumentation, Node runtime, never during `next build`):
 * checks the Inngest settings, and for the in-process driver creates it and starts its cron timer.
 * With Inngest, runs live in Inngest and continue by themselves; in process they lived in memory,
 * so the caller resumes the work a previous process left unfinished.
 */
export async function startJobs(): Promise<JobDriverKind> {
  assertJobDriverConfig();
  const kind = selectJobDriver();
  if (kind === "local") {
    (await getLocalJobDriver()).start();
    console.info("[jobs] no Inngest configured: background jobs run in this process");
  }
  if (kind === "postgres") {
    await (await getPostgresJobDriver()).start();
    console.info("[jobs] JOB_DRIVER=postgres: background jobs are shared through pg-boss in PostgreSQL");
  }
  return kind;
}

/**
 * The process-wide PostgreSQL driver on DATABASE_URL (JOB_DRIVER=postgres), created on first use;
 * it claims work once started. `options` only for tests and scripts (a schema, shorter leases).
 */
export function getPostgresJobDriver(options: Partial<PostgresJobDriverOptions> = {}): Promise<PostgresJobDriver> {
  globalThis.__koppelPostgresJobDriver ??= Promise.resolve().then(() => {
    const connectionString = options.connectionString ?? env().DATABASE_URL;
    if (!connectionString) throw new Error("JOB_DRIVER=postgres needs DATABASE_URL");
    return new PostgresJobDriver({
      definitions: JOB_DEFINITIONS,
      handlers: JOB_HANDLERS,
      preparedStatements: env().DATABASE_PREPARED_STATEMENTS === "1",
      ...options,
      connectionString,
    });
  });
  return globalThis.__koppelPostgresJobDriver;
}

/** Stops this process's PostgreSQL driver (finishing what it executes) and forgets it. */
export async function stopPostgresJobDriver(): Promise<void> {
  const driver = globalThis.__koppelPostgresJobDriver;
  globalThis.__koppelPostgresJobDriver = undefined;
  if (driver) await (await driver).stop();
}

/** Stops the in-process driver and forgets it (tests; a later getLocalJobDriver creates a fresh one). */
export async function stopLocalJobDriver(): Promise<void> {
  const driver = globalThis.__koppelLocalJobDriver;
  globalThis.__koppelLocalJobDriver = undefined;
  if (driver) await (await driver).stop();
}
