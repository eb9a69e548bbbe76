/**
 * Runs once when a server starts: the environment check (an invalid variable stops `next start`
 * itself with its name and what is wrong, instead of a server that answers 500 to everything),
 * migrations (inside getDb), with the demo on its seed when missing or incomplete,
 * then the job driver (the in-process driver's cron timer; with Inngest only a config check), and
 * for the in-process driver the dispatches a previous process left unfinished.
 *
 * Everything stays inside register(), after the runtime check: Next.js compiles this file for the
 * Edge runtime too, where that check is known to be false and what follows it is dropped. An
 * import() in a helper function outside it would pull the server's modules (ssh2 and its optional
 * native binding among them) into the Edge bundle and fail the build.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { exitOnInvalidEnvironment } = await import("./lib/env-on-start");
  exitOnInvalidEnvironment();
  const { prepareDatabaseOnStart } = await import("./db/startup");
  await prepareDatabaseOnStart();
  // `next build` may load instrumentation in its workers; jobs only ever start in a real server.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startJobs } = await import("./lib/jobs/runtime");
  if ((await startJobs()) !== "local") return;
  // The in-process driver's runs lived in memory, so those of a previous process are gone: its
  // dispatches still queued or running are enqueued again (with Inngest, runs live in Inngest and
  // the dispatch-sweep cron catches what was lost).
  const [{ getDb }, { resumeUnfinishedDispatches }] = await Promise.all([
    import("./db"),
    import("./lib/dispatch/resume"),
  ]);
  const resumed = await resumeUnfinishedDispatches(await getDb());
  if (resumed > 0) console.info(`[jobs] resumed ${resumed} unfinished dispatches`);
}

/**
 * Every error of a page, route handler or server action (Next.js calls this on the server): one
 * that means the database is out of reach turns the pages to the 503 page until a probe sees it
 * back (db/health.ts, proxy.ts).
 */
export async function onRequestError(error: unknown) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { noteDatabaseError } = await import("./db/health");
  noteDatabaseError(error);
}
