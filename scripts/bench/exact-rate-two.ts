/**
 * Case `exact-rate-two` — Exact Online's per-division limit held by two instances: two Node
 * processes (scripts/bench/exact-rate-instance.ts), each with the Exact connector and its rate
 * limiter counting in one shared PostgreSQL (lib/connections/call-limits.ts), deliver to the same
 * division of the fake Exact (tests/fakes/exact-online.ts, in this process) at the same time.
 * Time is scaled down as in `exact-rate`: the fake allows `limit` calls per `windowMs` window
 * instead of per minute; the limiters learn the limit and the resets from its X-RateLimit-*
 * headers only. A first try costs two calls (Document, DocumentAttachment).
 *
 * `utilisation` counts the full windows as in `exact-rate` (first call's window up to, not
 * including, the last call's; empty ones count against us); `429s` are the fake's 429 answers.
 * Targets: utilisation ≥ 95%, 429s = 0. The same run is the proof in
 * tests/integration/lib/connectors/exact-online/two-instances.pg.test.ts, with the breaker.
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL (or TEST_DATABASE_URL), migrated by the bench first.
 */

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type FakeExactOnline, startFakeExactOnline } from "../../tests/fakes/exact-online";
import type { InstancePlan, InstanceResult } from "./exact-rate-instance";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INSTANCE_SCRIPT = path.join(ROOT, "scripts/bench/exact-rate-instance.ts");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const DIVISION = 424_243;

type Instance = { child: ChildProcessWithoutNullStreams; ready: Promise<void>; done: Promise<InstanceResult> };

/** Starts one instance process; `ready` once it is connected, `done` with its result. */
function startInstance(plan: InstancePlan): Instance {
  const child = spawn(TSX, ["--conditions=react-server", INSTANCE_SCRIPT, JSON.stringify(plan)], {
    cwd: ROOT,
    env: { ...process.env, KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1", NODE_ENV: "production" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const lines = createInterface({ input: child.stdout });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let last = "";
  lines.on("line", (line) => {
    if (line === "ready") markReady();
    else if (line.trim() !== "") last = line;
  });
  const done = once(child, "exit").then(([code]) => {
    if (code !== 0) throw new Error(`instance ${plan.label} exited with ${code}: ${stderr.slice(-2000)}`);
    return JSON.parse(last) as InstanceResult;
  });
  // An instance that dies before it is ready must not leave the caller waiting.
  return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
}

/** Runs the instances together: each starts once all are connected. */
async function runTogether(plans: InstancePlan[]): Promise<InstanceResult[]> {
  const instances = plans.map(startInstance);
  try {
    await Promise.all(instances.map((instance) => instance.ready));
    for (const instance of instances) instance.child.stdin.end("go\n");
    return await Promise.all(instances.map((instance) => instance.done));
  } finally {
    for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill();
  }
}

function planFor(
  fake: FakeExactOnline,
  databaseUrl: string,
  label: string,
  documents: number,
  concurrency: number,
  isShared = true,
): InstancePlan {
  // Each instance has its own grant, as two instances would after their own refreshes.
  const grant = fake.issueGrant();
  return {
    databaseUrl,
    baseUrl: fake.url,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    accessTokenExpiresAt: new Date(Date.now() + grant.expiresIn * 1000).toISOString(),
    division: DIVISION,
    documents,
    concurrency,
    label,
    isShared,
  };
}

export type TwoInstanceRateReport = {
  utilisation: number;
  allWindows: number;
  calls: number;
  windows: number;
  fullWindows: number;
  callsPerWindow: number[];
  tooManyRequests: number;
  instances: InstanceResult[];
  documentsStored: number;
  elapsedMs: number;
};

/** Two instances deliver `documentsPerInstance` documents each to one division, concurrently. */
export async function runExactRateTwoInstances(options: {
  databaseUrl: string;
  limit: number;
  windowMs: number;
  documentsPerInstance: number;
  concurrency: number;
  /** False: each instance counts in its own memory (the control: it should draw 429s). */
  isShared?: boolean;
}): Promise<TwoInstanceRateReport> {
  const fake = await startFakeExactOnline({
    rateLimit: { limit: options.limit, windowMs: options.windowMs },
    dailyLimit: 1_000_000,
    divisions: [{ Code: DIVISION, Description: "Two instances BV", VATNumber: "BE0401234574", Status: 1 }],
  });
  try {
    const started = Date.now();
    const instances = await runTogether(
      ["one", "two"].map((label) =>
        planFor(
          fake,
          options.databaseUrl,
          label,
          options.documentsPerInstance,
          options.concurrency,
          options.isShared ?? true,
        ),
      ),
    );
    const elapsedMs = Date.now() - started;
    const usage = fake.usage(DIVISION);
    const first = usage[0];
    const last = usage[usage.length - 1];
    if (!first || !last) throw new Error(`the fake counted no calls: ${JSON.stringify(instances)}`);
    const calls = usage.reduce((sum, window) => sum + window.calls, 0);
    const fullWindows = Math.round((last.windowStart - first.windowStart) / options.windowMs);
    // Every window from the first to the last, empty ones as 0.
    const callsPerWindow = Array.from({ length: fullWindows + 1 }, (_, index) => {
      const start = first.windowStart + index * options.windowMs;
      return usage.find((window) => window.windowStart === start)?.calls ?? 0;
    });
    return {
      utilisation: fullWindows > 0 ? (calls - last.calls) / (options.limit * fullWindows) : Number.NaN,
      allWindows: calls / (options.limit * (fullWindows + 1)),
      calls,
      windows: fullWindows + 1,
      fullWindows,
      callsPerWindow,
      tooManyRequests: fake.counts.tooManyRequests,
      instances,
      documentsStored: fake.documents(DIVISION).length,
      elapsedMs,
    };
  } finally {
    await fake.close();
  }
}

export type TwoInstanceBreakerReport = {
  /** The instance whose calls drew the error answers. */
  first: InstanceResult;
  /** The other instance, started after: refused by the breaker without calling Exact. */
  second: InstanceResult;
  callsBySecond: number;
};

/**
 * The error breaker across instances: Exact answers the first instance's `errors` Document POSTs
 * with 400; then the second instance tries `tries` deliveries to the same division.
 */
export async function runExactBreakerTwoInstances(options: {
  databaseUrl: string;
  errors: number;
  tries: number;
}): Promise<TwoInstanceBreakerReport> {
  const fake = await startFakeExactOnline({
    divisions: [{ Code: DIVISION, Description: "Two instances BV", VATNumber: "BE0401234574", Status: 1 }],
  });
  try {
    fake.failNext(options.errors, {
      status: 400,
      message: "Mandatory: Type",
      endpoint: "documents/Documents",
      method: "POST",
    });
    const [first] = await runTogether([planFor(fake, options.databaseUrl, "errors", options.errors, 1)]);
    const callsBefore = fake.counts.apiCalls;
    const [second] = await runTogether([planFor(fake, options.databaseUrl, "after", options.tries, 1)]);
    if (!first || !second) throw new Error("an instance gave no result");
    return { first, second, callsBySecond: fake.counts.apiCalls - callsBefore };
  } finally {
    await fake.close();
  }
}

const TWO_INSTANCE_LIMIT = 60;
/** As in `exact-rate`: one real minute is 10 times shorter (60 s → 6 s). */
const TWO_INSTANCE_WINDOW_MS = 6_000;
const TWO_INSTANCE_DOCUMENTS = 150;

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function printReport(caseName: string, report: TwoInstanceRateReport, isShared: boolean): void {
  console.log(`${caseName} calls per ${TWO_INSTANCE_WINDOW_MS / 1000} s window: ${report.callsPerWindow.join(" ")}`);
  const details = {
    calls: report.calls,
    documents: report.documentsStored,
    sent: report.instances.map((instance) => instance.sent).join("+"),
    failures: JSON.stringify(report.instances.map((instance) => instance.failures)),
    windows: report.windows,
    full_windows: report.fullWindows,
    all_windows: percent(report.allWindows),
    elapsed_s: (report.elapsedMs / 1000).toFixed(1),
    limit: `${TWO_INSTANCE_LIMIT}/${TWO_INSTANCE_WINDOW_MS / 1000}s`,
    instances: 2,
    limits_counted: isShared ? "postgres" : "per-process",
    db: "postgres",
  };
  console.log(
    `bench ${caseName} utilisation=${percent(report.utilisation)} 429s=${report.tooManyRequests} ${Object.entries(
      details,
    )
      .map(([key, value]) => `${key}=${value}`)
      .join(" ")}`,
  );
}

/**
 * The bench's two-instance lines: `exact-rate-two-instances` (limits counted in PostgreSQL) and,
 * as the control, `exact-rate-two-instances-per-process` (each instance counting alone, as before).
 */
export async function benchExactRateTwoInstances(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    console.log("bench exact-rate-two-instances skipped: needs PostgreSQL (set BENCH_DATABASE_URL)");
    return;
  }
  const { openDb } = await import("@/db");
  const { close } = await openDb({ url: databaseUrl });
  await close();
  for (const isShared of [true, false]) {
    const report = await runExactRateTwoInstances({
      databaseUrl,
      limit: TWO_INSTANCE_LIMIT,
      windowMs: TWO_INSTANCE_WINDOW_MS,
      documentsPerInstance: isShared ? TWO_INSTANCE_DOCUMENTS : TWO_INSTANCE_DOCUMENTS / 3,
      concurrency: 4,
      isShared,
    });
    printReport(isShared ? "exact-rate-two-instances" : "exact-rate-two-instances-per-process", report, isShared);
  }
}
