/**
 * Case `claims` — only by name (`npm run bench -- claims [--smoke]`): what one claim of the deliver
 * queue costs on the postgres job driver as its backlog grows, on PostgreSQL (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a pg-boss schema koppel_bench_claims_<pid> made and
 * dropped here). The instances take the claims of a queue in turns, under one lock
 * (lib/jobs/postgres/flow-control.ts), so a claim's time bounds the rate of the whole queue; at the
 * month-end peak the backlog is what grows.
 *
 * The real `deliver` definition (one run at a time per connection, throttled per key), 50
 * connections, runs waiting in the order they were sent. For each backlog (0, 1,000, 10,000,
 * 100,000; `--smoke` stops at 10,000) it claims 10 runs `RUNS` times — each claim's runs put back
 * afterwards, so the backlog stays what it is — and prints
 * `bench claims backlog=<n> p50_ms=… p95_ms=…`, then
 * `bench claims ratio=<p50 at the largest backlog ÷ p50 at 1,000>`: near 1 when a claim's cost does
 * not grow with the backlog.
 */

import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { DISPATCH_REQUESTED, deliver } from "@/lib/jobs/definitions/deliver";
import { PostgresJobDriver } from "@/lib/jobs/postgres/driver";
import { claimWithFlowControl } from "@/lib/jobs/postgres/flow-control";

const CONNECTIONS = 50;
const RUNS = 21;
const BATCH = 10;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] ?? Number.NaN;
};

export async function benchClaims(args: readonly string[]): Promise<void> {
  const backlogs = args.includes("--smoke") ? [0, 1_000, 10_000] : [0, 1_000, 10_000, 100_000];
  const url = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const schema = `koppel_bench_claims_${process.pid}`;
  const started = performance.now();
  const driver = new PostgresJobDriver({
    connectionString: url,
    schema,
    definitions: [deliver],
    handlers: { deliver: () => import("@/lib/jobs/handlers/deliver") },
    work: false,
    preparedStatements: true,
  });
  // One connection, prepared statements, as the driver's own pool claims.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await driver.start();
    const p50s = new Map<number, number>();
    let queued = 0;
    for (const backlog of backlogs) {
      while (queued < backlog) {
        const count = Math.min(5_000, backlog - queued);
        await driver.enqueueEvents(
          Array.from({ length: count }, (_, i) => ({
            name: DISPATCH_REQUESTED,
            payload: { dispatchId: randomUUID(), concurrencyKey: `connection-${(queued + i) % CONNECTIONS}` },
          })),
        );
        queued += count;
      }
      // Not analyzed, as a live table between autovacuum passes: the claim must not rely on fresh statistics.
      const times: number[] = [];
      for (let run = 0; run < RUNS + 2; run++) {
        const start = performance.now();
        const jobs = await claimWithFlowControl(pool, schema, deliver, BATCH);
        const elapsed = performance.now() - start;
        if (run >= 2) times.push(elapsed);
        if (backlog > 0 && jobs.length !== BATCH) throw new Error(`claimed ${jobs.length} runs of ${BATCH}`);
        // Back to waiting, not started: the next claim sees the same backlog.
        await pool.query(`UPDATE ${schema}.job SET state = 'created', started_on = NULL WHERE id = ANY($1::uuid[])`, [
          jobs.map((job) => job.id),
        ]);
      }
      p50s.set(backlog, quantile(times, 0.5));
      console.log(
        `bench claims backlog=${backlog} p50_ms=${quantile(times, 0.5).toFixed(2)} p95_ms=${quantile(times, 0.95).toFixed(2)}`,
      );
    }
    const largest = backlogs.at(-1) ?? 0;
    const ratio = (p50s.get(largest) ?? Number.NaN) / (p50s.get(1_000) ?? Number.NaN);
    console.log(`bench claims ratio=${ratio.toFixed(2)} (p50 at ${largest} waiting ÷ p50 at 1000)`);
    console.log(
      `[claims] ${CONNECTIONS} connections, batches of ${BATCH}, ${RUNS} claims per backlog; done in ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadavg()
        .map((value) => value.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    await driver.stop();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}
