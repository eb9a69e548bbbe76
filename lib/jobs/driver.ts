import { type Env, env } from "@/lib/env";

/**
 * Which driver runs the jobs: `JOB_DRIVER` when set; otherwise Inngest as soon as any Inngest
 * server is configured (cloud with an event key, a self-hosted server by URL, or the dev server),
 * else the in-process driver, the embedded default. `postgres` (pg-boss on the app's PostgreSQL,
 * lib/jobs/postgres/) shares the work between instances without Inngest.
 */
export type JobDriverKind = "inngest" | "postgres" | "local";

type JobDriverEnv = Pick<
  Env,
  "INNGEST_EVENT_KEY" | "INNGEST_SIGNING_KEY" | "INNGEST_DEV" | "INNGEST_BASE_URL" | "JOB_DRIVER" | "DATABASE_URL"
>;

export function selectJobDriver(e: Partial<JobDriverEnv> = env()): JobDriverKind {
  if (e.JOB_DRIVER) return e.JOB_DRIVER;
  return e.INNGEST_EVENT_KEY || e.INNGEST_DEV || e.INNGEST_BASE_URL ? "inngest" : "local";
}

/** Inngest's dev mode: `INNGEST_DEV` is "1", "true" or the dev server's URL. */
export function isInngestDevMode(e: Partial<JobDriverEnv> = env()): boolean {
  return e.INNGEST_DEV !== undefined && e.INNGEST_DEV !== "0" && e.INNGEST_DEV !== "false";
}

/**
 * Fails fast on a driver that cannot work: Inngest half-configured (outside dev mode the serve
 * endpoint refuses every call without a signing key, and sending needs an event key), or the
 * PostgreSQL driver without a PostgreSQL server (the embedded PGlite is one process's database).
 */
export function assertJobDriverConfig(e: Partial<JobDriverEnv> = env()): void {
  const kind = selectJobDriver(e);
  if (kind === "postgres") {
    if (!e.DATABASE_URL?.trim()) {
      throw new Error(
        "JOB_DRIVER=postgres runs the jobs on a PostgreSQL server shared by every instance, so DATABASE_URL must point to one (the embedded database cannot be shared: unset JOB_DRIVER or use JOB_DRIVER=local)",
      );
    }
    return;
  }
  if (kind !== "inngest" || isInngestDevMode(e)) return;
  const missing = (["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const).filter((name) => !e[name]);
  if (missing.length > 0) {
    throw new Error(`Inngest is configured without dev mode, so ${missing.join(" and ")} must be set`);
  }
}
