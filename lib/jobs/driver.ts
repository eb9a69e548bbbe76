import { type Env, env } from "@/lib/env";

/**
 * Which driver runs the jobs. Inngest as soon as any Inngest server is configured (cloud with an
 * event key, a self-hosted server by URL, or the dev server); otherwise the in-process driver,
 * the embedded default.
 */
export type JobDriverKind = "inngest" | "local";

type InngestEnv = Pick<Env, "INNGEST_EVENT_KEY" | "INNGEST_SIGNING_KEY" | "INNGEST_DEV" | "INNGEST_BASE_URL">;

export function selectJobDriver(e: InngestEnv = env()): JobDriverKind {
  return e.INNGEST_EVENT_KEY || e.INNGEST_DEV || e.INNGEST_BASE_URL ? "inngest" : "local";
}

/** Inngest's dev mode: `INNGEST_DEV` is "1", "true" or the dev server's URL. */
export function isInngestDevMode(e: InngestEnv = env()): boolean {
  return e.INNGEST_DEV !== undefined && e.INNGEST_DEV !== "0" && e.INNGEST_DEV !== "false";
}

/**
 * Fails fast on a half-configured Inngest: outside dev mode the serve endpoint refuses every call
 * without a signing key, and sending needs an event key (cloud and self-hosted alike).
 */
export function assertJobDriverConfig(e: InngestEnv = env()): void {
  if (selectJobDriver(e) !== "inngest" || isInngestDevMode(e)) return;
  const missing = (["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const).filter((name) => !e[name]);
  if (missing.length > 0) {
    throw new Error(`Inngest is configured without dev mode, so ${missing.join(" and ")} must be set`);
  }
}
