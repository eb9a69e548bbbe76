import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describeEnvProblems, type Env, parseEnv } from "./env-schema";

export type { Env } from "./env-schema";

/** The environment, parsed once against lib/env-schema.ts (which lists every variable Koppel reads). */
let cached: Env | undefined;
export function env(): Env {
  if (!cached) {
    const parsed = parseEnv(process.env);
    if (!parsed.ok) throw new Error(describeEnvProblems(parsed.problems));
    cached = parsed.env;
  }
  return cached;
}

/** Forgets the parsed env so the next `env()` reads process.env again. For tests only. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function dataDir(): string {
  // The data dir is chosen at run time; keep the bundler from tracing the whole project for it.
  return path.resolve(/*turbopackIgnore: true*/ env().KOPPEL_DATA_DIR ?? path.join(process.cwd(), ".data"));
}

/** Embedded default: no DATABASE_URL, so everything lives in .data/ on this machine. */
export function isEmbedded(): boolean {
  return !env().DATABASE_URL;
}

/** Who may sign an office up (KOPPEL_SIGNUP; lib/invitations/sign-up.ts). */
export function signUpMode(): "open" | "invite" | "off" {
  return env().KOPPEL_SIGNUP ?? (isEmbedded() ? "open" : "invite");
}

/**
 * Demo sign-in (pick a seeded user, no mail) is for development. A production build offers it
 * only when KOPPEL_DEMO=1 is set explicitly (the e2e run and a local demo do).
 */
export function isDemoEnabled(): boolean {
  const e = env();
  if (e.KOPPEL_DEMO === "0") return false;
  return e.NODE_ENV !== "production" || e.KOPPEL_DEMO === "1";
}

/**
 * A secret from the environment, or for the embedded default one generated once into .data/.
 * A deployment with its own database must set it: generated files do not travel between machines.
 */
export function secretFromEnvOrDataDir(name: string, value: string | undefined, bytes = 32): string {
  if (value) return value;
  if (!isEmbedded()) throw new Error(`${name} must be set when DATABASE_URL is set`);
  const file = path.join(dataDir(), "secrets", name.toLowerCase());
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const generated = randomBytes(bytes).toString("base64url");
  try {
    writeFileSync(file, generated, { mode: 0o600, flag: "wx" });
    return generated;
  } catch (error) {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
}

export function authSecret(): string {
  return secretFromEnvOrDataDir("AUTH_SECRET", env().AUTH_SECRET);
}
