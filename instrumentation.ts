/**
 * Runs once when a server starts: migrations (inside getDb), on an empty demo database the seed,
 * then the job driver (the in-process driver's cron timer; with Inngest only a config check).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabaseOnStart } = await import("./db/startup");
  await prepareDatabaseOnStart();
  // `next build` may load instrumentation in its workers; jobs only ever start in a real server.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startJobs } = await import("./lib/jobs/runtime");
  await startJobs();
}
