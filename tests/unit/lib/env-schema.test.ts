import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { register } from "@/instrumentation";
import { describeEnvProblems, ENV_VARIABLES, parseEnv } from "@/lib/env-schema";

const ROOT = path.resolve(__dirname, "../../..");

describe("the environment check", () => {
  it("names the variable and what is wrong, never the value", () => {
    const parsed = parseEnv({ AUTH_SECRET: "0123456789" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([{ variable: "AUTH_SECRET", problem: "must be at least 32 characters" }]);
    const message = describeEnvProblems(parsed.problems);
    expect(message).toBe("Invalid environment: AUTH_SECRET must be at least 32 characters");
    expect(message).not.toContain("0123456789");
  });

  it("lists every wrong variable at once", () => {
    const parsed = parseEnv({ DATABASE_POOL_MAX: "ten", KOPPEL_DEMO_FTP: "yes", AUTH_URL: "koppel.be" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((problem) => problem.variable).sort()).toEqual([
      "AUTH_URL",
      "DATABASE_POOL_MAX",
      "KOPPEL_DEMO_FTP",
    ]);
    expect(describeEnvProblems(parsed.problems)).toContain("DATABASE_POOL_MAX must be a whole number");
  });

  it("accepts the empty environment with its defaults", () => {
    const parsed = parseEnv({});
    expect(parsed.ok && parsed.env.DATABASE_POOL_MAX).toBe(10);
    expect(parsed.ok && parsed.env.DEMO_FTP_PORT).toBe(2121);
    expect(parsed.ok && parsed.env.FILE_STORE).toBe("local");
  });

  it("asks for a bucket and a region with FILE_STORE=s3, and for both keys or neither", () => {
    const missing = parseEnv({ FILE_STORE: "s3", S3_ACCESS_KEY_ID: "AKIA123" });
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.problems.map((problem) => problem.variable).sort()).toEqual([
      "S3_BUCKET",
      "S3_REGION",
      "S3_SECRET_ACCESS_KEY",
    ]);
    const complete = parseEnv({ FILE_STORE: "s3", S3_BUCKET: "koppel-files", S3_REGION: "fr-par" });
    expect(complete.ok).toBe(true);
  });
});

describe("instrumentation's register() with an invalid environment", () => {
  const saved = { NEXT_RUNTIME: process.env.NEXT_RUNTIME, AUTH_SECRET: process.env.AUTH_SECRET };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("prints the variable and the problem and exits 1 before touching the database", async () => {
    process.env.NEXT_RUNTIME = "nodejs";
    process.env.AUTH_SECRET = "0123456789";
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(register()).rejects.toThrow("exit 1");
    expect(exit).toHaveBeenCalledWith(1);
    expect(logged.mock.calls.flat().join(" ")).toContain("AUTH_SECRET must be at least 32 characters");
  });
});

/** The README's "Configuration" table: the variable in the first column of each row. */
function readmeConfigurationVariables(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Configuration"));
  if (!section) throw new Error("README has no Configuration section");
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1] ?? "");
}

describe("the README's configuration table", () => {
  it("lists exactly the schema's variables, each once", () => {
    const listed = readmeConfigurationVariables();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...ENV_VARIABLES].sort());
  });
});

/**
 * The only places that read process.env by name instead of through lib/env-schema.ts, and why.
 * tests/ is left out: tests set and restore variables around the code under test.
 */
const RAW_READS: Record<string, readonly string[]> = {
  // Set by Next.js itself, read before anything else loads (the Edge bundle must not import lib).
  "instrumentation.ts": ["NEXT_RUNTIME", "NEXT_PHASE"],
  // Next.js loads its config before any app module; the startup check validates the value.
  "next.config.ts": ["NEXT_DIST_DIR"],
  // Plain Node (no TypeScript) that starts next dev and the demo FTP server.
  "scripts/dev.mjs": ["NEXT_TELEMETRY_DISABLED", "KOPPEL_DEMO_FTP"],
  // Chooses which test files run before any test module loads.
  "vitest.config.ts": ["TEST_DATABASE_URL"],
  // The catalog is bundled for the browser too, where Next.js inlines NODE_ENV.
  "lib/packages/catalog.ts": ["NODE_ENV"],
  // The proxy runs before any route and imports nothing of lib/env (the dev policy allows eval).
  "proxy.ts": ["NODE_ENV"],
  // Ports of the e2e harness, not of the app.
  "e2e/e2e-env.ts": ["E2E_APP_PORT"],
  "e2e/fake-resend.ts": ["E2E_RESEND_PORT"],
  "e2e/fake-resend-server.ts": ["FAKE_RESEND_PORT"],
  // The PostgreSQL the two-instance Exact bench runs on (its processes share it), not the app's.
  "scripts/bench/exact-rate-two.ts": ["BENCH_DATABASE_URL", "TEST_DATABASE_URL"],
  // The pages bench: the local PostgreSQL it seeds (not the app's database).
  "scripts/bench/pages.ts": ["BENCH_PG_URL"],
  // What the benches against the production build share (pages, sustained, auto-send-latency): the
  // local PostgreSQL they create their database on.
  "scripts/bench/production.ts": ["BENCH_PG_URL"],
  // A production instance (drill, two-instance proofs, benches) starts with an environment of its
  // own: only PATH and HOME are handed over.
  "scripts/lib/next-instance.ts": ["HOME", "PATH"],
  // The counts bench seeds the same local PostgreSQL as the pages bench.
  "scripts/bench/counts.ts": ["BENCH_PG_URL"],
  // The claims bench: a pg-boss schema of its own on that same local PostgreSQL.
  "scripts/bench/claims.ts": ["BENCH_PG_URL"],
  // The fault drill: its own knobs, and the time scale it hands the production server it starts.
  "scripts/drill/run.ts": [
    "DRILL_APP_PORT",
    "DRILL_DEBUG",
    "DRILL_FTP_LONG_DOWN_S",
    "DRILL_KEEP",
    "KOPPEL_RETRY_TIME_SCALE",
  ],
};
/** Variables that configure Next.js, the e2e harness or the benches rather than Koppel: not in the schema. */
const NOT_KOPPEL_CONFIGURATION = [
  "NEXT_RUNTIME",
  "NEXT_PHASE",
  "NEXT_TELEMETRY_DISABLED",
  "E2E_APP_PORT",
  "E2E_RESEND_PORT",
  "FAKE_RESEND_PORT",
  "BENCH_DATABASE_URL",
  "BENCH_PG_URL",
  "DRILL_APP_PORT",
  "DRILL_DEBUG",
  "DRILL_FTP_LONG_DOWN_S",
  "DRILL_KEEP",
  "HOME",
  "PATH",
];
const SKIPPED_FOLDERS = new Set(["node_modules", "tests", "test-results", "playwright-report", "coverage"]);

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      return entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name) ? [] : sourceFiles(relative);
    }
    return /\.(ts|tsx|mjs|cjs|js)$/.test(entry.name) ? [relative] : [];
  });
}

/** Reads of process.env.NAME; assignments and deletes (scripts/bench sets up its own run) are not reads. */
function rawReads(): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const file of sourceFiles("")) {
    if (file === "lib/env.ts" || file === "lib/env-schema.ts") continue;
    const text = readFileSync(path.join(ROOT, file), "utf8");
    const names = [...text.matchAll(/(?<!delete\s)process\.env\.([A-Z_][A-Z0-9_]*)\b(?!\s*=[^=])/g)].map(
      (match) => match[1] ?? "",
    );
    if (names.length > 0) found[file] = [...new Set(names)].sort();
  }
  return found;
}

describe("reads of the environment", () => {
  it("go through lib/env-schema.ts except in the listed files, for the listed variables", () => {
    const expected = Object.fromEntries(Object.entries(RAW_READS).map(([file, names]) => [file, [...names].sort()]));
    expect(rawReads()).toEqual(expected);
  });

  it("name only variables the schema validates, or ones that configure Next.js, the e2e harness or the benches", () => {
    const schema = new Set<string>(ENV_VARIABLES);
    const unknown = Object.values(RAW_READS)
      .flat()
      .filter((name) => !schema.has(name) && !NOT_KOPPEL_CONFIGURATION.includes(name));
    expect(unknown).toEqual([]);
    expect(NOT_KOPPEL_CONFIGURATION.filter((name) => schema.has(name))).toEqual([]);
  });
});
