/**
 * Case `sustained` — only by name (`npm run bench -- sustained [--smoke] [--rates=20,40]
 * [--window=60] [--cpu-prof]`): the month-end peak held by two instances (issue 14).
 *
 * 1. A PostgreSQL database of its own (BENCH_PG_URL, scripts/bench/production.ts), migrated; 50
 *    offices, each with its own Syneton Admin-DMS connection to one fake package on 127.0.0.1
 *    (scripts/bench/auto-send-world.ts) and a dossier with auto-send on.
 * 2. Two `next start` processes on the production build (built when .next has none), both with
 *    JOB_DRIVER=postgres (pg-boss, lib/jobs/postgres/driver.ts) and one shared data dir (files).
 *    Deliveries run one at a time per connection, as in production (the deliver job's concurrency).
 * 3. For each rate tried: uploads awaiting recognition are seeded (not timed), then a load generator
 *    in its own process (scripts/bench/webhook-loadgen.ts) posts each office's signed recognition
 *    webhook for them at a steady rate, round-robin over the offices and the two instances, for
 *    the window (60 s; --smoke: one rate, 10 a second for 5 s, proving it all works, ≤ 1 minute;
 *    a 10-second warm-up at 10 a second comes first, not counted). Auto-send sends each document.
 *    The figure per document is its sent_at minus the moment its webhook was posted (one clock:
 *    same machine): stricter than from the webhook's 200, which comes after auto-send has queued
 *    the delivery (lib/dispatch/auto-send.ts, withAutoSend). A rate holds when every document
 *    is Sent and that time's p95 is ≤ 2 s over the window.
 * 4. Rates tried: 10, 20, 40, 80, 150 sends a second until one does not hold, then twice the
 *    middle of the highest that held and the lowest that did not (--rates= picks them by hand).
 *    Prints `bench sustained rate=<highest rate that held> instances=2 queue_age_p95_ms=<its p95>
 *    db=postgres connector=syneton-dms`, and per rate a context line: p50/p95/max, how the p95 of
 *    the window's second half compares with its first (flat or growing), the CPU of each process
 *    (the two servers, PostgreSQL's backends of this database, the load generator, this process
 *    with the fake package) as a share of one core, and the load average; then where the time went
 *    (the stages, from pg-boss's job rows and the attempts), CPU and commits per send, and what
 *    PostgreSQL's active backends were doing (sampled). `--cpu-prof` writes V8 CPU profiles of
 *    both servers into a directory it names (open them in Chrome's DevTools).
 */

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openDb } from "@/db";
import {
  addAwaitingDocuments,
  CONNECTOR,
  createWorld,
  loadLine,
  percentile,
  sentTimes,
  stageBreakdown,
  type World,
} from "./auto-send-world";
import { createBenchDatabase, ensureBuild, type NextServer, processTreeCpuMs, startNextServer } from "./production";
import type { LoadPlan, LoadResult } from "./webhook-loadgen";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LOADGEN = path.join(ROOT, "scripts/bench/webhook-loadgen.ts");
const OFFICES = 50;
const GOAL_P95_MS = 2_000;
const LADDER = [10, 20, 40, 80, 150];
const PORTS = [35110, 35111];

type Options = { smoke: boolean; rates: number[] | null; windowSeconds: number; cpuProfile: boolean };

function parseOptions(args: readonly string[]): Options {
  const smoke = args.includes("--smoke");
  const rates = args.find((arg) => arg.startsWith("--rates="))?.slice("--rates=".length);
  const window = args.find((arg) => arg.startsWith("--window="))?.slice("--window=".length);
  return {
    smoke,
    rates: rates ? rates.split(",").map(Number) : smoke ? [10] : null,
    windowSeconds: window ? Number(window) : smoke ? 5 : 60,
    cpuProfile: args.includes("--cpu-prof"),
  };
}

const log = (message: string) => console.log(`[sustained] ${message}`);

type StepResult = {
  rate: number;
  holds: boolean;
  p95: number;
  line: string;
};

/** The load generator in its own process: the plan on stdin, its result as the last stdout line. */
async function runLoadGenerator(plan: LoadPlan): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", LOADGEN], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stdin.end(JSON.stringify(plan));
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(output.trim().split("\n").pop() ?? "{}") as LoadResult;
}

/**
 * A sampling profile of PostgreSQL: every 50 ms, what this database's active backends run (the
 * statement's first words) and what they wait for. `stop` gives the most frequent, as a share of
 * the samples of active backends.
 */
function samplePostgres(client: pg.Client, database: string): { stop(): Promise<string> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let isRunning = true;
  const loop = (async () => {
    while (isRunning) {
      const { rows } = await client.query<{ what: string }>(
        `select coalesce(wait_event_type || ':' || wait_event || ' ', '') || translate(left(query, 90), E'\\n\\t', '  ') as what
         from pg_stat_activity where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
        [database],
      );
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + 1);
      samples += rows.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      isRunning = false;
      await loop;
      return [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([what, n]) => `  ${((n / samples) * 100).toFixed(0).padStart(3)}% ${what}`)
        .join("\n");
    },
  };
}

/** Transactions committed in this database so far (every statement outside one counts one). */
async function commits(client: pg.Client, database: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `select xact_commit as n from pg_stat_database where datname = $1`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

/** CPU (ms) of PostgreSQL's backends of this database (those alive at both readings). */
async function postgresCpu(client: pg.Client, database: string): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(`select pid from pg_stat_activity where datname = $1`, [
    database,
  ]);
  return new Map(rows.map((row) => [row.pid, processTreeCpuMs(row.pid)]));
}

async function runStep(
  world: World,
  servers: NextServer[],
  monitor: pg.Client,
  sampling: pg.Client,
  databaseName: string,
  rate: number,
  windowSeconds: number,
): Promise<StepResult> {
  const total = Math.round(rate * windowSeconds);
  const perOffice = Math.ceil(total / world.offices.length);
  const seedStarted = performance.now();
  const idsByOffice = [];
  for (const office of world.offices) idsByOffice.push(await addAwaitingDocuments(world, office, perOffice));
  log(
    `rate ${rate}/s: seeded ${perOffice * world.offices.length} uploads in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );
  // Round-robin over the offices: each connection gets rate / offices a second.
  const deliveries: LoadPlan["deliveries"] = [];
  for (let i = 0; i < total; i++) {
    const officeIndex = i % world.offices.length;
    const office = world.offices[officeIndex];
    const documentId = idsByOffice[officeIndex]?.[Math.floor(i / world.offices.length)];
    if (!office || !documentId) throw new Error("ran out of seeded documents");
    deliveries.push({ portalId: office.portalId, secret: office.secret, documentId, invoiceNumber: `B-${rate}-${i}` });
  }

  const loadStarted = performance.now();
  const cpuBefore = {
    servers: servers.map((server) => processTreeCpuMs(server.pid)),
    postgres: await postgresCpu(monitor, databaseName),
    self: process.cpuUsage(),
    commits: await commits(monitor, databaseName),
  };
  const sampler = samplePostgres(sampling, databaseName);
  const load = await runLoadGenerator({ ratePerSecond: rate, instances: servers.map((s) => s.baseUrl), deliveries });
  const ids = deliveries.map((delivery) => delivery.documentId);
  // Wait for the queue to drain: every document Sent, or the stragglers given up on.
  const drainDeadline = Date.now() + Math.max(30_000, windowSeconds * 1000);
  let sent = await sentTimes(world.db, ids);
  while ([...sent.values()].some((at) => at === null) && Date.now() < drainDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    sent = await sentTimes(world.db, ids);
  }
  const seconds = (performance.now() - loadStarted) / 1000;
  const postgresProfile = await sampler.stop();
  const cpuAfter = {
    servers: servers.map((server) => processTreeCpuMs(server.pid)),
    postgres: await postgresCpu(monitor, databaseName),
    self: process.cpuUsage(cpuBefore.self),
    commits: await commits(monitor, databaseName),
  };
  let postgresMs = 0;
  for (const [pid, after] of cpuAfter.postgres) postgresMs += after - (cpuBefore.postgres.get(pid) ?? 0);

  const refused = load.answers.filter((answer) => answer.status !== 200);
  const ages: number[] = [];
  const firstHalf: number[] = [];
  const secondHalf: number[] = [];
  load.answers.forEach((answer, index) => {
    const sentAt = sent.get(answer.documentId);
    const age =
      answer.status === 200 && sentAt != null
        ? Math.max(0, sentAt - (answer.answeredAtMs - answer.tookMs))
        : Number.POSITIVE_INFINITY;
    ages.push(age);
    (index < load.answers.length / 2 ? firstHalf : secondHalf).push(age);
  });
  const unsent = [...sent.values()].filter((at) => at === null).length;
  const p95 = percentile(ages, 95);
  const holds = refused.length === 0 && unsent === 0 && p95 <= GOAL_P95_MS;
  // A share of one core over the step (the load and the drain).
  const busySeconds = seconds;
  const share = (ms: number) => `${((ms / 1000 / busySeconds) * 100).toFixed(0)}%`;
  const webhookP95 = percentile(
    load.answers.map((answer) => answer.tookMs),
    95,
  );
  const line =
    `[sustained] rate=${rate}/s ${holds ? "holds" : "does not hold"}: ${total} webhooks in ${(load.elapsedMs / 1000).toFixed(1)} s ` +
    `(${refused.length} not 200, generator lag ≤ ${load.maxLagMs.toFixed(0)} ms), ${total - unsent} Sent; ` +
    `queue age p50=${percentile(ages, 50).toFixed(0)} p95=${p95.toFixed(0)} max=${Math.max(...ages).toFixed(0)} ms ` +
    `(p95 first half ${percentile(firstHalf, 95).toFixed(0)}, second half ${percentile(secondHalf, 95).toFixed(0)}); ` +
    `webhook answer p95=${webhookP95.toFixed(0)} ms; CPU (share of one core over ${busySeconds.toFixed(0)} s): ` +
    `instances ${cpuAfter.servers.map((after, i) => share(after - (cpuBefore.servers[i] ?? 0))).join(" + ")}, ` +
    `postgres ${share(postgresMs)}, load generator ${share(load.cpuMs)} (${((load.cpuMs / load.elapsedMs) * 100).toFixed(0)}% over its own run), ` +
    `bench + fake package ${share((cpuAfter.self.user + cpuAfter.self.system) / 1000)}; ${loadLine()}`;
  console.log(line);
  log(
    `rate=${rate}/s stages p50/p95 ms: ${await stageBreakdown(
      world.db,
      load.answers.map((answer) => answer.documentId),
    )}`,
  );
  const sends = total - unsent;
  const perSend = (ms: number) => (ms / Math.max(1, sends)).toFixed(1);
  const serversMs = cpuAfter.servers.reduce((sum, after, i) => sum + after - (cpuBefore.servers[i] ?? 0), 0);
  log(
    `rate=${rate}/s CPU per send: instances ${perSend(serversMs)} ms, postgres ${perSend(postgresMs)} ms, ` +
      `load generator ${perSend(load.cpuMs)} ms; ${perSend(cpuAfter.commits - cpuBefore.commits)} commits per send (the bench's own polling included); PostgreSQL's active backends (sampled every 50 ms):\n${postgresProfile}`,
  );
  return { rate, holds, p95, line };
}

/** The next rate to try: up the ladder until one does not hold, then two bisections. */
function nextRate(tried: readonly StepResult[]): number | null {
  const firstFailure = tried.findIndex((step) => !step.holds);
  if (firstFailure === -1) return LADDER.find((rate) => rate > (tried.at(-1)?.rate ?? 0)) ?? null;
  if (tried.length >= firstFailure + 3) return null;
  const best = Math.max(0, ...tried.filter((step) => step.holds).map((step) => step.rate));
  const worst = Math.min(...tried.filter((step) => !step.holds).map((step) => step.rate));
  const middle = Math.round((best + worst) / 2);
  return middle > best && middle < worst ? middle : null;
}

export async function benchSustained(args: readonly string[]): Promise<void> {
  const options = parseOptions(args);
  const startedAt = performance.now();
  ensureBuild(log);
  const database = await createBenchDatabase("koppel_sustained_bench");
  const opened = await openDb({ url: database.url });
  const monitor = new pg.Client({ connectionString: database.url });
  await monitor.connect();
  const sampling = new pg.Client({ connectionString: database.url });
  await sampling.connect();
  const servers: NextServer[] = [];
  let world: World | undefined;
  const profileDir = options.cpuProfile ? mkdtempSync(path.join(tmpdir(), "koppel-sustained-cpu-")) : null;
  try {
    world = await createWorld(opened.db, OFFICES);
    log(
      `database ${database.name}, ${OFFICES} offices with a ${CONNECTOR} connection each, fake package at ${world.fake.url}`,
    );
    const serverEnv = { ...world.serverEnv, DATABASE_URL: database.url, JOB_DRIVER: "postgres" };
    servers.push(
      ...(await Promise.all(
        PORTS.map((port, index) =>
          startNextServer({
            port,
            label: `instance ${index + 1}`,
            env: serverEnv,
            nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : undefined,
          }),
        ),
      )),
    );
    log(`two instances on ${servers.map((server) => server.baseUrl).join(", ")} (JOB_DRIVER=postgres)`);

    // Warm-up, not counted: the servers' code compiled and their caches and pools filled.
    log("warm-up:");
    await runStep(world, servers, monitor, sampling, database.name, 10, options.smoke ? 2 : 10);
    const steps: StepResult[] = [];
    if (options.rates) {
      for (const rate of options.rates)
        steps.push(await runStep(world, servers, monitor, sampling, database.name, rate, options.windowSeconds));
    } else {
      for (let rate = nextRate(steps); rate !== null; rate = nextRate(steps)) {
        steps.push(await runStep(world, servers, monitor, sampling, database.name, rate, options.windowSeconds));
      }
    }
    const held = steps.filter((step) => step.holds).sort((a, b) => b.rate - a.rate)[0];
    console.log(
      `bench sustained rate=${held?.rate ?? 0} instances=2 queue_age_p95_ms=${held ? held.p95.toFixed(0) : "n/a"} db=postgres connector=${CONNECTOR}`,
    );
    const fakeUploads = world.fake.counts.uploads;
    const filed = new Set(world.fake.documents().map((document) => document.reference)).size;
    log(
      `window ${options.windowSeconds} s per rate${options.smoke ? " (smoke)" : ""}; rates tried ${steps.map((s) => `${s.rate}${s.holds ? "✓" : "✗"}`).join(" ")}; ` +
        `fake package: ${fakeUploads} uploads, ${filed} references (${fakeUploads - filed} filed twice); ` +
        `done in ${((performance.now() - startedAt) / 1000).toFixed(0)} s; ${loadLine()}`,
    );
  } finally {
    for (const server of servers) await server.stop();
    if (profileDir) log(`CPU profiles of the instances in ${profileDir}`);
    await world?.fake.close();
    await monitor.end().catch(() => {});
    await sampling.end().catch(() => {});
    await opened.close();
    await database.drop();
    if (world) rmSync(world.dataDir, { recursive: true, force: true });
  }
}
