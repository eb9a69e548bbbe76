import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { envSchema } from "../lib/env-schema";
import { APP_PORT } from "./e2e-env";

// No browser: this starts `next start` itself (not a wrapper script) from the production build
// with an invalid environment. It must stop within 10 seconds, non-zero, naming the variable,
// instead of listening and answering 500 to everything (instrumentation.ts checks the environment).
const CHECK_PORT = APP_PORT + 17;
const DEADLINE_MS = 10_000;

type Outcome = { exitCode: number | null; output: string; timedOut: boolean };

function startWithInvalidEnvironment(): Promise<Outcome> {
  const server = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(CHECK_PORT), "-H", "127.0.0.1"],
    {
      cwd: process.cwd(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        KOPPEL_DATA_DIR: ".data/e2e-env-check",
        AUTH_SECRET: "0123456789",
      },
    },
  );
  let output = "";
  server.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // Still running after the deadline: stop the whole process group, then fail below.
      if (server.pid) process.kill(-server.pid, "SIGKILL");
      resolve({ exitCode: null, output, timedOut: true });
    }, DEADLINE_MS);
    server.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output, timedOut: false });
    });
  });
}

test("next start with a 10-character AUTH_SECRET exits non-zero within 10 seconds and names it", async () => {
  const { NEXT_DIST_DIR } = envSchema.pick({ NEXT_DIST_DIR: true }).parse(process.env);
  const buildId = path.join(process.cwd(), NEXT_DIST_DIR ?? ".next", "BUILD_ID");
  // `npm run test:e2e` and CI build first: a missing build is a failure, not a reason to pass.
  expect(existsSync(buildId), `no production build at ${buildId}`).toBe(true);

  const outcome = await startWithInvalidEnvironment();
  expect(outcome.timedOut, `still running after ${DEADLINE_MS} ms:\n${outcome.output}`).toBe(false);
  expect(outcome.exitCode).not.toBe(0);
  expect(outcome.output).toContain("AUTH_SECRET must be at least 32 characters");
  expect(outcome.output).not.toContain("0123456789");
});
