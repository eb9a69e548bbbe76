import { z } from "zod";

/**
 * Every environment variable Koppel reads, in one schema: the app (lib/env.ts), the startup check
 * (instrumentation.ts), the scripts and the e2e config all parse it, and the README's
 * "Configuration" table lists exactly these keys (tests/unit/lib/env-schema.test.ts holds the two
 * equal and lists the few files that read a variable raw, and why).
 *
 * No "server-only" here: scripts run by plain tsx and playwright.config.ts import it too.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().optional(),
  // Forces the Neon serverless driver for a host that is not Neon's (testing through a ws proxy).
  DATABASE_DRIVER: z.enum(["neon"], { error: 'must be "neon" or unset' }).optional(),
  DATABASE_POOL_MAX: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(1000, "must be at most 1000")
    .default(10),
  // Statements with parameters as prepared statements of their connection (db/prepared-statements.ts).
  DATABASE_PREPARED_STATEMENTS: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).default("1"),
  NEON_WS_PROXY: z
    .string()
    .regex(/^[^\s/:]+:\d{1,5}$/, "must be host:port of the WebSocket proxy")
    .optional(),
  KOPPEL_DATA_DIR: z.string().min(1, "must not be empty").optional(),
  // Where document files live: "local" (the data dir's disk, one instance) or "s3" (an
  // S3-compatible bucket every instance shares; lib/storage/s3.ts).
  FILE_STORE: z.enum(["local", "s3"], { error: 'must be "local" or "s3"' }).default("local"),
  S3_BUCKET: z.string().min(3, "must be a bucket name").optional(),
  S3_REGION: z.string().min(1, "must not be empty").optional(),
  S3_ENDPOINT: z.string().url("must be a URL such as https://s3.fr-par.scw.cloud").optional(),
  S3_ACCESS_KEY_ID: z.string().min(1, "must not be empty").optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1, "must not be empty").optional(),
  S3_FORCE_PATH_STYLE: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
  S3_CHECKSUMS: z
    .enum(["when_supported", "when_required"], { error: 'must be "when_supported" or "when_required"' })
    .default("when_supported"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  AUTH_URL: z.string().url("must be a URL such as https://app.koppel.be").optional(),
  KOPPEL_DEMO: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
  // Who may sign an office up at /sign-up: anyone, only through `npm run office:invite` links, or nobody
  // (`npm run office:create`). Unset: "open" on the embedded database, "invite" with DATABASE_URL.
  KOPPEL_SIGNUP: z.enum(["open", "invite", "off"], { error: 'must be "open", "invite" or "off"' }).optional(),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url("must be a URL").optional(),
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
  INNGEST_BASE_URL: z.string().url("must be a URL").optional(),
  // Which driver runs the background jobs (lib/jobs/driver.ts); unset: inngest when configured, else local.
  JOB_DRIVER: z
    .enum(["inngest", "postgres", "local"], { error: 'must be "inngest", "postgres" or "local"' })
    .optional(),
  APP_ENCRYPTION_KEY: z.string().optional(),
  APP_ENCRYPTION_KEYS_PREVIOUS: z.string().optional(),
  RECOGNITION_WEBHOOK_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // FTP hosts on loopback/private/link-local addresses: "1" allows them (tests, local demo); unset = development only.
  KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
  // API connections whose base URL is not the vendor's own host (local fakes): "1" allows them (tests, e2e, demo).
  KOPPEL_ALLOW_CUSTOM_API_HOSTS: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
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
  // Compresses every delivery retry duration (backoff, the 24-hour horizon, breaker probes) by this
  // factor: 0.01 makes the horizon 14.4 minutes. For tests and `npm run drill`; 1 in production.
  KOPPEL_RETRY_TIME_SCALE: z.coerce
    .number({ error: "must be a number between 0 and 1" })
    .positive("must be a number between 0 and 1")
    .max(1, "must be a number between 0 and 1")
    .optional(),
  // Development and test tooling. next.config.ts and scripts/dev.mjs read their variable raw (they
  // cannot import TypeScript from lib); the startup check still validates it here.
  NEXT_DIST_DIR: z.string().min(1, "must not be empty").optional(),
  KOPPEL_DEMO_FTP: z.enum(["0", "1"], { error: 'must be "0" or "1"' }).optional(),
  DEMO_FTP_PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a port number")
    .min(1, "must be a port number")
    .max(65_535, "must be a port number")
    .default(2121),
  TEST_DATABASE_URL: z.string().url("must be a postgres:// URL").optional(),
  CHROMIUM_PATH: z.string().min(1, "must not be empty").optional(),
});

/**
 * The rules between variables. Kept apart from envSchema, which stays a plain object: scripts and
 * the e2e config `.pick()` single variables from it, which zod refuses on a refined object.
 */
const checkedEnvSchema = envSchema.superRefine((value, context) => {
  if (value.FILE_STORE !== "s3") return;
  for (const variable of ["S3_BUCKET", "S3_REGION"] as const) {
    if (!value[variable])
      context.addIssue({ code: "custom", path: [variable], message: 'must be set when FILE_STORE is "s3"' });
  }
  if (Boolean(value.S3_ACCESS_KEY_ID) !== Boolean(value.S3_SECRET_ACCESS_KEY)) {
    context.addIssue({
      code: "custom",
      path: [value.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"],
      message: "must be set together with the other S3 key (or neither, to use the platform's credentials)",
    });
  }
});

export type Env = z.infer<typeof envSchema>;
export type EnvVariable = keyof typeof envSchema.shape;
export const ENV_VARIABLES = Object.keys(envSchema.shape) as EnvVariable[];

/** One problem with one variable; never carries the value (it may be a secret). */
export type EnvProblem = { variable: string; problem: string };

export type EnvParseResult = { ok: true; env: Env } | { ok: false; problems: EnvProblem[] };

export function parseEnv(source: Record<string, string | undefined>): EnvParseResult {
  const parsed = checkedEnvSchema.safeParse(source);
  if (parsed.success) return { ok: true, env: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      variable: issue.path.map(String).join(".") || "(environment)",
      problem: issue.message,
    })),
  };
}

/** "Invalid environment: AUTH_SECRET must be at least 32 characters; …", for logs and errors. */
export function describeEnvProblems(problems: readonly EnvProblem[]): string {
  return `Invalid environment: ${problems.map(({ variable, problem }) => `${variable} ${problem}`).join("; ")}`;
}
