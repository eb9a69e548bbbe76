/** Runs once when a server starts: migrations (inside getDb) and, on an empty demo database, the seed. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabaseOnStart } = await import("./db/startup");
  await prepareDatabaseOnStart();
}
