import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/** Every environment variable the app reads, validated once. The README's table mirrors this. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().optional(),
  KOPPEL_DATA_DIR: z.string().optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  AUTH_URL: z.string().url().optional(),
  KOPPEL_DEMO: z.enum(["0", "1"]).optional(),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default("Koppel <noreply@koppel.localhost>"),
  // The signing secret of the Resend webhook ("whsec_…", shown in Resend's webhook settings).
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/, "must be the whsec_… signing secret from Resend")
    .optional(),
  // Background jobs: any of EVENT_KEY, DEV or BASE_URL selects Inngest over the in-process driver.
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  INNGEST_DEV: z.union([z.enum(["0", "1", "true", "false"]), z.string().url()]).optional(),
  INNGEST_BASE_URL: z.string().url().optional(),
  APP_ENCRYPTION_KEY: z.string().optional(),
  APP_ENCRYPTION_KEYS_PREVIOUS: z.string().optional(),
  RECOGNITION_WEBHOOK_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // FTP hosts on loopback/private/link-local addresses: "1" allows them (tests, local demo); unset = development only.
  KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: z.enum(["0", "1"]).optional(),
  // API connections whose base URL is not the vendor's own host (local fakes): "1" allows them (tests, e2e, demo).
  KOPPEL_ALLOW_CUSTOM_API_HOSTS: z.enum(["0", "1"]).optional(),
  // How many reverse proxies in front of Koppel append to X-Forwarded-For: the client is the N-th
  // entry from the right. Unset: no client address is trusted (lib/http/client-address.ts).
  KOPPEL_TRUSTED_PROXIES: z
    .string()
    .regex(/^[1-9]$/, "must be the number of proxies in front of Koppel, 1 to 9")
    .transform(Number)
    .optional(),
  // The office's Exact App Center app, used when a connection does not carry its own client id/secret.
  EXACT_ONLINE_CLIENT_ID: z.string().min(1).optional(),
  EXACT_ONLINE_CLIENT_SECRET: z.string().min(1).optional(),
  // That app's webhook secret (App Center): verifies Exact's signed notifications for connections on the deployment's app.
  EXACT_ONLINE_WEBHOOK_SECRET: z.string().min(16).max(200).optional(),
  WOLTERS_KLUWER_CLIENT_ID: z.string().min(1).optional(),
  WOLTERS_KLUWER_CLIENT_SECRET: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;
export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      throw new Error(
        `Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    cached = parsed.data;
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
