import { env } from "@/lib/env";

/** Which Postgres driver a DATABASE_URL calls for (DATABASE_DRIVER=neon forces Neon for proxy testing). */
export type DriverKind = "pglite" | "neon" | "node-postgres";

export function selectDriver(databaseUrl: string | undefined): DriverKind {
  if (!databaseUrl || databaseUrl.trim() === "") return "pglite";
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error("DATABASE_URL is not a valid URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol})`);
  }
  // Neon's hosts end in neon.tech (or the newer neon.build); the serverless driver speaks
  // Postgres over WebSockets there, which also works from edge and serverless runtimes.
  if (/(^|\.)neon\.(tech|build)$/i.test(url.hostname) || env().DATABASE_DRIVER === "neon") return "neon";
  return "node-postgres";
}
