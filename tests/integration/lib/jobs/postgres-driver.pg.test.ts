import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { PostgresJobDriver, type PostgresJobDriverOptions } from "@/lib/jobs/postgres/driver";
import {
  claimWithFlowControl,
  completeRun,
  extendLease,
  markFailed,
  putBackUntil,
  scheduleRetry,
} from "@/lib/jobs/postgres/flow-control";
import { delay, describeJobDriverContract, silentLogger, type TestJob, testJob, waitFor } from "./driver-contract";

// The shared driver contract (driver-contract.ts) on the PostgreSQL driver (pg-boss 10), then what
// only it has: several instances on one database, and a crashed instance's run taken over. Each
// test gets its own pg-boss schema, dropped afterwards. Leases are short here (2 s, heartbeat
// 0.5 s, expiry checked every second) so a takeover is seen in seconds, not the production ~45 s.

const url = process.env.TEST_DATABASE_URL as string;
let schemas: string[] = [];
let currentSchema = "";

function newSchema(): string {
  currentSchema = `pgboss_test_${randomBytes(4).toString("hex")}`;
  schemas.push(currentSchema);
  return currentSchema;
}

function createDriver(
  jobs: TestJob[],
  schema = currentSchema || newSchema(),
  options: Partial<PostgresJobDriverOptions> = {},
) {
  return new PostgresJobDriver({
    connectionString: url,
    schema,
    definitions: jobs.map((job) => job.definition),
    handlers: Object.fromEntries(jobs.map((job) => [job.definition.id, job.load])),
    logger: silentLogger(),
    random: () => 0,
    expireInSeconds: 2,
    heartbeatSeconds: 0.5,
    maintenanceIntervalSeconds: 1,
    pollingIntervalMs: 100,
    cronMonitorIntervalSeconds: 1,
    // As in production (DATABASE_PREPARED_STATEMENTS defaults to 1).
    preparedStatements: true,
    ...options,
  });
}

async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set client_min_messages = warning");
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
  schemas = [];
  currentSchema = "";
}

describeJobDriverContract({
  name: "postgres (pg-boss)",
  // pg-boss fires a cron in the minute it is due: up to a minute, plus its check interval.
  cronWaitMs: 75_000,
  async start(jobs) {
    const driver = createDriver(jobs);
    await driver.start();
    return {
      async enqueue(eventName, payload) {
        await driver.enqueue(eventName, payload);
      },
      stop: () => driver.stop(),
      fireCrons() {},
    };
  },
  cleanUp: dropSchemas,
});

describe("postgres job driver: several instances", () => {
  const drivers: PostgresJobDriver[] = [];
  afterEach(async () => {
    for (const driver of drivers.splice(0)) await driver.stop();
    await dropSchemas();
  });

  async function startInstance(jobs: TestJob[], options: Partial<PostgresJobDriverOptions> = {}) {
    const driver = createDriver(jobs, undefined, options);
    drivers.push(driver);
    await driver.start();
    return driver;
  }

  it("a run of an instance that died is taken over by another, its finished steps kept", async () => {
    const uploads: string[] = [];
    const confirmed: { instance: string; attempt: number }[] = [];
    let instanceA: PostgresJobDriver | undefined;
    const jobOn = (instance: string) =>
      testJob({
        id: "deliver-like",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string() }),
        retries: 3,
        async handler({ step, attempt }) {
          await step.run("upload", async () => {
            uploads.push(instance);
          });
          if (instance === "A") {
            // A dies here: it never answers, and its heartbeat stops with it.
            await instanceA?.abandon();
            await new Promise(() => {});
          }
          await step.run("confirm", async () => {
            confirmed.push({ instance, attempt });
          });
        },
      });

    newSchema();
    instanceA = await startInstance([jobOn("A")]);
    await instanceA.enqueue("test/item.touched", { itemId: "a" });
    await waitFor(() => uploads.length === 1, 10_000, "A to start the run");
    const diedAt = Date.now();

    await startInstance([jobOn("B")]);
    await waitFor(() => confirmed.length === 1, 20_000, "B to take the run over");
    // Lease 2 s, expiry checked every second, claims every 100 ms.
    expect(Date.now() - diedAt).toBeLessThan(6_000);
    expect(uploads).toEqual(["A"]);
    expect(confirmed).toEqual([{ instance: "B", attempt: 1 }]);
  });

  it("keeps one run at a time per key across two instances", async () => {
    let active = 0;
    let maxActive = 0;
    const done: string[] = [];
    const job = testJob({
      id: "per-connection",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string(), connectionId: z.string() }),
      retries: 0,
      concurrency: { key: "connectionId", limit: 1 },
      async handler({ payload }) {
        active++;
        maxActive = Math.max(maxActive, active);
        await delay(50);
        active--;
        done.push(payload.itemId);
      },
    });
    newSchema();
    const a = await startInstance([job]);
    await startInstance([job]);
    for (let i = 0; i < 20; i++) await a.enqueue("test/item.touched", { itemId: `i${i}`, connectionId: "C" });
    await waitFor(() => done.length === 20, 20_000, "twenty runs");
    expect(maxActive).toBe(1);
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => `i${i}`));
  });

  it("starts a key's next run when its run ends, not at the next poll, even when the run ends mid-claim", async () => {
    // Runs that end at once finish while the loop is still claiming (a claim is a transaction of
    // a few round trips): their wake-up must not be lost. Polls every 30 s: a lost one shows.
    const done: string[] = [];
    const job = testJob({
      id: "quick-per-connection",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string(), connectionId: z.string() }),
      retries: 0,
      concurrency: { key: "connectionId", limit: 1 },
      async handler({ payload }) {
        done.push(payload.itemId);
      },
    });
    newSchema();
    const driver = await startInstance([job], { pollingIntervalMs: 30_000 });
    await driver.enqueueEvents(
      Array.from({ length: 10 }, (_, i) => ({
        name: "test/item.touched",
        payload: { itemId: `i${i}`, connectionId: "C" },
      })),
    );
    await waitFor(() => done.length === 10, 15_000, "ten runs, one after the other");
    // Sent together, they share a creation time: any order.
    expect(done.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `i${i}`));
  });

  it("throttles run starts per key across instances, without dropping any", async () => {
    const startedAt: number[] = [];
    const job = testJob({
      id: "throttled",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string() }),
      retries: 0,
      throttle: { limit: 3, period: "2s" },
      async handler() {
        startedAt.push(Date.now());
      },
    });
    newSchema();
    const a = await startInstance([job]);
    await startInstance([job]);
    for (let i = 0; i < 7; i++) await a.enqueue("test/item.touched", { itemId: `i${i}` });
    await waitFor(() => startedAt.length === 7, 15_000, "seven runs");
    startedAt.sort((x, y) => x - y);
    // Any 3 + 1 consecutive starts span at least the period.
    for (let i = 3; i < startedAt.length; i++) {
      expect((startedAt[i] as number) - (startedAt[i - 3] as number)).toBeGreaterThanOrEqual(1_900);
    }
  });

  it("counts a throttle per key, and a run its connection cannot start takes no slot of its key", async () => {
    const started: { itemId: string; at: number }[] = [];
    let releaseFirst = () => {};
    const firstMayEnd = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const job = testJob({
      id: "keyed-throttle",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string(), connection: z.string(), bucket: z.string() }),
      retries: 0,
      concurrency: { key: "connection", limit: 1 },
      throttle: { key: "bucket", limit: 1, period: "3s" },
      async handler({ payload }) {
        started.push({ itemId: payload.itemId, at: Date.now() });
        if (payload.itemId === "a1") await firstMayEnd;
      },
    });
    newSchema();
    const a = await startInstance([job]);
    await startInstance([job]);
    // a1 holds connection A; a2 waits for it. b1 shares a2's bucket but not its connection.
    await a.enqueue("test/item.touched", { itemId: "a1", connection: "A", bucket: "first" });
    await waitFor(() => started.length === 1, 10_000, "a1 to start");
    await a.enqueue("test/item.touched", { itemId: "a2", connection: "A", bucket: "shared" });
    await a.enqueue("test/item.touched", { itemId: "b1", connection: "B", bucket: "shared" });
    await a.enqueue("test/item.touched", { itemId: "c1", connection: "C", bucket: "other" });
    await waitFor(() => started.length === 3, 10_000, "b1 and c1 to start while a1 runs");
    expect(started.map((run) => run.itemId).sort()).toEqual(["a1", "b1", "c1"]);
    releaseFirst();
    // a2 is free to run on its connection now, but its bucket had b1's start within the period.
    await waitFor(() => started.length === 4, 10_000, "a2");
    const startOf = (itemId: string) => started.find((run) => run.itemId === itemId)?.at as number;
    expect(startOf("a2") - startOf("b1")).toBeGreaterThanOrEqual(2_900);
  });

  it("runs the failure handler once when the last attempt died with its instance", async () => {
    const failures: string[] = [];
    const started: string[] = [];
    let instanceA: PostgresJobDriver | undefined;
    const jobOn = (instance: string) =>
      testJob({
        id: "last-try",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string() }),
        retries: 0,
        async handler() {
          started.push(instance);
          if (instance === "A") {
            await instanceA?.abandon();
            await new Promise(() => {});
          }
        },
        async onFailure({ error }) {
          failures.push(`${instance}: ${error.message}`);
        },
      });
    newSchema();
    instanceA = await startInstance([jobOn("A")]);
    await instanceA.enqueue("test/item.touched", { itemId: "a" });
    await waitFor(() => started.length === 1, 10_000, "A to start the run");
    await startInstance([jobOn("B")]);
    await waitFor(() => failures.length === 1, 20_000, "the failure handler");
    await delay(3_000);
    expect(started).toEqual(["A"]);
    expect(failures).toEqual(["B: the last attempt was interrupted"]);
  });
});

describe("postgres job driver: its bookkeeping's commits", () => {
  afterEach(dropSchemas);

  it("do not wait for the disk, and leave the session's own setting alone (safe behind a pooler)", async () => {
    const job = testJob({
      id: "kept",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string() }),
      retries: 0,
      async handler() {},
    });
    const schema = newSchema();
    const driver = createDriver([job], schema, { work: false });
    await driver.start();
    await driver.enqueue("test/item.touched", { itemId: "a" });
    await driver.stop();
    // One connection: the statements below and the SHOWs run on the same session.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const setting = async () =>
      (await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]?.synchronous_commit;
    try {
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${schema}.job WHERE name = 'kept'`);
      const id = rows[0]?.id as string;
      const writes: (() => Promise<unknown>)[] = [
        () => extendLease(pool, schema, "kept", id, 20),
        () => scheduleRetry(pool, schema, "kept", id, 1_000, { name: "Error", message: "x" }),
        () => putBackUntil(pool, schema, "kept", id, new Date()),
        () => markFailed(pool, schema, "kept", id, { name: "Error", message: "x" }),
        () => completeRun(pool, schema, "kept", id),
      ];
      // Each write changes a running run (and only then writes anything to commit).
      const setRunning = () =>
        pool.query(`UPDATE ${schema}.job SET state = 'active', started_on = now() WHERE id = $1`, [id]);
      for (const write of writes) {
        await setRunning();
        await pool.query("BEGIN");
        await write();
        // Within the statement's transaction its commit is asynchronous …
        expect(await setting()).toBe("off");
        await pool.query("COMMIT");
        // … and after it the session commits synchronously again, as the app's own statements must.
        expect(await setting()).toBe("on");
        await setRunning();
        await write();
        expect(await setting()).toBe("on");
      }
      expect((await pool.query(`SELECT state FROM ${schema}.job WHERE id = $1`, [id])).rows[0]?.state).toBe(
        "completed",
      );
    } finally {
      await pool.end();
    }
  });
});

describe("postgres job driver: the claim of a queue with flow control", () => {
  afterEach(dropSchemas);

  const perConnection = testJob({
    id: "per-connection",
    trigger: { event: "test/item.touched" },
    payloadSchema: z.object({ itemId: z.string(), connectionId: z.string().optional() }),
    retries: 0,
    concurrency: { key: "connectionId", limit: 2 },
    async handler() {},
  });

  /** A driver that only sends (no loop claims), and a pool of one connection to claim by hand. */
  async function queueWithoutWorkers() {
    const schema = newSchema();
    const driver = createDriver([perConnection], schema, { work: false });
    await driver.start();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const idOf = async (itemId: string) =>
      (await pool.query<{ id: string }>(`SELECT id FROM ${schema}.job WHERE data->>'itemId' = $1`, [itemId])).rows[0]
        ?.id as string;
    return { schema, driver, pool, idOf };
  }

  it("takes per key its oldest runs that may start, up to the key's free slots, oldest first", async () => {
    const { schema, driver, pool, idOf } = await queueWithoutWorkers();
    try {
      // One enqueue per run: each its own transaction, so created_on orders them.
      const runs = [
        ["c0", "C"],
        ["a1", "A"],
        ["b1", "B"],
        ["c1", "C"],
        ["a2", "A"],
        ["b2", "B"],
        ["d1", undefined],
        ["a3", "A"],
        ["c2", "C"],
      ] as const;
      for (const [itemId, connectionId] of runs) await driver.enqueue("test/item.touched", { itemId, connectionId });
      // c0 is running (C has one free slot left); b1 waits for a retry later.
      await pool.query(`UPDATE ${schema}.job SET state = 'active', started_on = now() WHERE id = $1`, [
        await idOf("c0"),
      ]);
      await pool.query(
        `UPDATE ${schema}.job SET state = 'retry', start_after = now() + interval '1 hour' WHERE id = $1`,
        [await idOf("b1")],
      );
      // The order of the claimed runs is not kept (an UPDATE's RETURNING): compared as sets.
      const itemsOf = (jobs: { data: Record<string, unknown> }[]) => jobs.map((job) => String(job.data.itemId)).sort();

      const first = await claimWithFlowControl(pool, schema, perConnection.definition, 3);
      // The three oldest that may start: a1, c1, a2 (b1 is not due).
      expect(itemsOf(first)).toEqual(["a1", "a2", "c1"]);
      const rest = await claimWithFlowControl(pool, schema, perConnection.definition, 10);
      // A is full (a1, a2 running), C too (c0, c1); B's b1 is not due, so b2 goes; d1 has no key ('').
      expect(itemsOf(rest)).toEqual(["b2", "d1"]);
      expect(await claimWithFlowControl(pool, schema, perConnection.definition, 10)).toEqual([]);
      await completeRun(pool, schema, "per-connection", await idOf("a1"));
      expect(itemsOf(await claimWithFlowControl(pool, schema, perConnection.definition, 10))).toEqual(["a3"]);
    } finally {
      await driver.stop();
      await pool.end();
    }
  });

  it("reads as much with 20,000 waiting runs as with 200: its cost does not grow with the backlog", async () => {
    const { schema, driver, pool } = await queueWithoutWorkers();
    // The blocks one claim touches, the function's own statement included (EXPLAIN ANALYZE of the
    // call, in a transaction rolled back so the backlog stays).
    const blocksOfClaim = async () => {
      await pool.query("BEGIN");
      try {
        const { rows } = await pool.query<{ "QUERY PLAN": [{ Plan: Record<string, number> }] }>(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM ${schema}."koppel_claim:per-connection"(10)`,
        );
        const plan = rows[0]?.["QUERY PLAN"][0].Plan ?? {};
        return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
      } finally {
        await pool.query("ROLLBACK");
      }
    };
    const enqueue = async (count: number) => {
      for (let sent = 0; sent < count; sent += 5_000) {
        const events = Array.from({ length: Math.min(5_000, count - sent) }, (_, i) => ({
          name: "test/item.touched",
          payload: { itemId: `i${sent + i}`, connectionId: `conn-${(sent + i) % 5}` },
        }));
        await driver.enqueueEvents(events);
      }
    };
    try {
      await enqueue(200);
      // Claims on a small queue first, as a live queue starts: a plan kept from them must not be
      // what claims a large one. Never analyzed, as between autovacuum passes.
      for (let i = 0; i < 8; i++) await blocksOfClaim();
      const small = await blocksOfClaim();
      await enqueue(19_800);
      const { rows } = await pool.query<{ pages: number }>(
        `SELECT sum(pg_relation_size(oid) / 8192)::int AS pages FROM pg_class
         WHERE relkind = 'r' AND relname LIKE 'j%' AND relnamespace = $1::regnamespace`,
        [schema],
      );
      // Reading every waiting run would touch every page of the queue's table.
      expect(rows[0]?.pages).toBeGreaterThan(300);
      const large = await blocksOfClaim();
      expect(large).toBeLessThan(small + 60);
    } finally {
      await driver.stop();
      await pool.end();
    }
  });

  it("takes the queue's lock only when a run waits", async () => {
    const { driver, pool, schema } = await queueWithoutWorkers();
    // Another instance in the middle of a claim: it holds the queue's lock.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`koppel-jobs-claim:${schema}:per-connection`]);
      await pool.query("SET lock_timeout = '300ms'");
      // Nothing waits: the claim answers at once, without the lock.
      expect(await claimWithFlowControl(pool, schema, perConnection.definition, 10)).toEqual([]);
      await driver.enqueue("test/item.touched", { itemId: "a", connectionId: "A" });
      // A run waits: the claim waits for the lock (here until lock_timeout).
      await expect(claimWithFlowControl(pool, schema, perConnection.definition, 10)).rejects.toThrow(/lock timeout/);
      await other.query("COMMIT");
      expect(await claimWithFlowControl(pool, schema, perConnection.definition, 10)).toHaveLength(1);
    } finally {
      await other.end();
      await driver.stop();
      await pool.end();
    }
  });

  it("commits without waiting for the disk, and leaves the session's own setting alone", async () => {
    const { driver, pool, schema } = await queueWithoutWorkers();
    try {
      await driver.enqueue("test/item.touched", { itemId: "a", connectionId: "A" });
      const setting = async () =>
        (await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]?.synchronous_commit;
      await pool.query("BEGIN");
      expect(await claimWithFlowControl(pool, schema, perConnection.definition, 1)).toHaveLength(1);
      expect(await setting()).toBe("off");
      await pool.query("COMMIT");
      expect(await setting()).toBe("on");
    } finally {
      await driver.stop();
      await pool.end();
    }
  });
});
