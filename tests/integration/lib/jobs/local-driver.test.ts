import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { LocalJobDriver } from "@/lib/jobs/local-driver";
import { RETRY_BASE_MS } from "@/lib/jobs/retry";
import type { JobHandlerLoader, JobLogger } from "@/lib/jobs/types";
import { type TestJob, testJob } from "./driver-contract";

// The in-process driver on made-up jobs: retries, concurrency, cron, stop and the handlers it
// imports on first run. Time is vitest's fake clock, moved explicitly; no assertion depends on how
// fast this machine is.

const silentLogger = (): JobLogger => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const payloadSchema = z.object({ itemId: z.string() });

let driver: LocalJobDriver;

function createDriver(jobs: TestJob[], logger = silentLogger()) {
  // random() = 0: the backoff is its fixed half, so the tests know when a retry is due.
  driver = new LocalJobDriver({
    definitions: jobs.map((job) => job.definition),
    handlers: Object.fromEntries(jobs.map((job) => [job.definition.id, job.load])),
    logger,
    random: () => 0,
  });
  return driver;
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2025-03-04T10:14:30Z") });
});

afterEach(async () => {
  await driver?.stop();
  vi.useRealTimers();
});

describe("in-process job driver", () => {
  it("runs a job for an event, later and with the parsed payload", async () => {
    const handler = vi.fn(async () => "done");
    createDriver([
      testJob({ id: "touch-item", trigger: { event: "test/item.touched" }, payloadSchema, retries: 0, handler }),
    ]);

    expect(driver.enqueue("test/item.touched", { itemId: "a" })).toBe(1);
    expect(handler).not.toHaveBeenCalled(); // asynchronous: not inside enqueue

    await vi.advanceTimersByTimeAsync(0);
    await driver.idle();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ payload: { itemId: "a" }, attempt: 0 }));
  });

  it("refuses an invalid payload or an event nobody listens to before running anything", () => {
    const handler = vi.fn(async () => undefined);
    createDriver([
      testJob({ id: "touch-item", trigger: { event: "test/item.touched" }, payloadSchema, retries: 0, handler }),
    ]);

    expect(() => driver.enqueue("test/item.touched", { itemId: 42 })).toThrow(/Invalid payload for job touch-item/);
    expect(() => driver.enqueue("test/item.unknown", { itemId: "a" })).toThrow(/No job listens/);
  });

  it("retries a retryable failure after the backoff and succeeds, without re-running finished steps", async () => {
    const sideEffect = vi.fn(async () => ({ reference: "R-1" }));
    const attempts: number[] = [];
    createDriver([
      testJob({
        id: "flaky",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 3,
        async handler({ step, attempt }) {
          attempts.push(attempt);
          const receipt = await step.run("upload", sideEffect);
          await step.run("confirm", async () => {
            if (attempt === 0) throw new Error("connection reset");
            return receipt.reference;
          });
        },
      }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toEqual([0]);

    // First retry: base 1 s, half of it fixed (jitter pinned to 0).
    await vi.advanceTimersByTimeAsync(RETRY_BASE_MS / 2 - 1);
    expect(attempts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await driver.idle();

    expect(attempts).toEqual([0, 1]);
    expect(sideEffect).toHaveBeenCalledTimes(1);
  });

  it("waits as long as a RetryAfterJobError asks before retrying", async () => {
    const attempts: number[] = [];
    createDriver([
      testJob({
        id: "rate-limited",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 1,
        async handler({ attempt }) {
          attempts.push(attempt);
          if (attempt === 0) throw new RetryAfterJobError("429", 30_000);
        },
      }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(attempts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await driver.idle();
    expect(attempts).toEqual([0, 1]);
  });

  it("does not retry a NonRetriableJobError and runs the failure handler once", async () => {
    const handler = vi.fn(async () => {
      throw new NonRetriableJobError("package refused the document");
    });
    const onFailure = vi.fn(async () => undefined);
    createDriver([
      testJob({
        id: "refused",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 5,
        handler,
        onFailure,
      }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(0);
    await driver.idle();
    await vi.advanceTimersByTimeAsync(60 * 60_000);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(
      expect.objectContaining({
        payload: { itemId: "a" },
        error: { name: "NonRetriableJobError", message: "package refused the document" },
      }),
    );
  });

  it("gives up after the definition's retries and then runs the failure handler", async () => {
    const handler = vi.fn(async () => {
      throw new Error("still down");
    });
    const onFailure = vi.fn(async () => undefined);
    createDriver([
      testJob({ id: "down", trigger: { event: "test/item.touched" }, payloadSchema, retries: 2, handler, onFailure }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await driver.idle();

    expect(handler).toHaveBeenCalledTimes(3);
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it("runs at most one job per concurrency key at a time and queues the rest", async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    createDriver([
      testJob({
        id: "one-at-a-time",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string(), connectionId: z.string() }),
        retries: 0,
        concurrency: { key: "connectionId", limit: 1 },
        async handler({ payload }) {
          started.push(payload.itemId);
          const gate = deferred();
          gates.set(payload.itemId, gate);
          await gate.promise;
        },
      }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a1", connectionId: "A" });
    driver.enqueue("test/item.touched", { itemId: "a2", connectionId: "A" });
    driver.enqueue("test/item.touched", { itemId: "b1", connectionId: "B" });
    await vi.advanceTimersByTimeAsync(0);
    // Another key is not held up; the same key waits.
    expect(started).toEqual(["a1", "b1"]);

    gates.get("a1")?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["a1", "b1", "a2"]);

    gates.get("a2")?.resolve();
    gates.get("b1")?.resolve();
    await driver.idle();
  });

  it("a step.sleepUntil frees the run's concurrency slot, is no attempt, and is passed at once on the replay", async () => {
    const events: string[] = [];
    const wakeAt = new Date(Date.now() + 60_000);
    createDriver([
      testJob({
        id: "sleepy",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string(), connectionId: z.string() }),
        retries: 0,
        concurrency: { key: "connectionId", limit: 1 },
        async handler({ payload, step, attempt }) {
          const first = await step.run("first", () => {
            events.push(`${payload.itemId}:first`);
            return 1;
          });
          if (payload.itemId === "a1") await step.sleepUntil("wait", wakeAt.toISOString());
          events.push(`${payload.itemId}:after:${first}:attempt${attempt}`);
        },
      }),
    ]);
    driver.enqueue("test/item.touched", { itemId: "a1", connectionId: "A" });
    driver.enqueue("test/item.touched", { itemId: "a2", connectionId: "A" });
    await vi.advanceTimersByTimeAsync(0);
    // a1 sleeps; a2, same key, runs meanwhile.
    expect(events).toEqual(["a1:first", "a2:first", "a2:after:1:attempt0"]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(events).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    await driver.idle();
    // The replay took "first" from its record and did not run it again; still attempt 0.
    expect(events).toEqual(["a1:first", "a2:first", "a2:after:1:attempt0", "a1:after:1:attempt0"]);
  });

  it("throttles run starts per key", async () => {
    const started: string[] = [];
    createDriver([
      testJob({
        id: "throttled",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 0,
        throttle: { limit: 2, period: "1m" },
        async handler({ payload }) {
          started.push(payload.itemId);
        },
      }),
    ]);

    for (const itemId of ["a", "b", "c"]) driver.enqueue("test/item.touched", { itemId });
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["a", "b"]);
    await vi.advanceTimersByTimeAsync(60_000);
    await driver.idle();
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("throttles each key on its own: one busy key never holds up another", async () => {
    const started: string[] = [];
    createDriver([
      testJob({
        id: "throttled-per-key",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string(), bucket: z.string() }),
        retries: 0,
        throttle: { key: "bucket", limit: 2, period: "1m" },
        async handler({ payload }) {
          started.push(payload.itemId);
        },
      }),
    ]);

    for (const [itemId, bucket] of [
      ["a1", "a"],
      ["a2", "a"],
      ["a3", "a"],
      ["b1", "b"],
      ["c1", "c"],
    ]) {
      driver.enqueue("test/item.touched", { itemId, bucket });
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["a1", "a2", "b1", "c1"]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(started).not.toContain("a3");
    await vi.advanceTimersByTimeAsync(1);
    await driver.idle();
    expect(started).toEqual(["a1", "a2", "b1", "c1", "a3"]);
  });

  it("forgets throttle keys once their window ran out, so one-off keys do not pile up", async () => {
    createDriver([
      testJob({
        id: "throttled-one-off",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 0,
        // One key per run, as an unthrottled delivery's dispatch id.
        throttle: { key: "itemId", limit: 30, period: "1m" },
        async handler() {},
      }),
    ]);

    for (let i = 0; i < 100; i++) driver.enqueue("test/item.touched", { itemId: `once-${i}` });
    await vi.advanceTimersByTimeAsync(0);
    await driver.idle();
    expect(driver.throttleKeyCount).toBe(100);

    // Within the window they are still needed; a period later they are dropped on the next start.
    await vi.advanceTimersByTimeAsync(30_000);
    driver.enqueue("test/item.touched", { itemId: "later-1" });
    expect(driver.throttleKeyCount).toBe(101);
    await vi.advanceTimersByTimeAsync(59_000);
    driver.enqueue("test/item.touched", { itemId: "later-2" });
    // later-1 started 59 s ago, inside its window: kept; the hundred (89 s old) are gone.
    expect(driver.throttleKeyCount).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    await driver.idle();
  });

  it("keeps the throttle of a key that is still in its window when pruning", async () => {
    const started: string[] = [];
    createDriver([
      testJob({
        id: "throttled-kept",
        trigger: { event: "test/item.touched" },
        payloadSchema: z.object({ itemId: z.string(), bucket: z.string() }),
        retries: 0,
        throttle: { key: "bucket", limit: 1, period: "2m" },
        async handler({ payload }) {
          started.push(payload.itemId);
        },
      }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "x1", bucket: "x" });
    await vi.advanceTimersByTimeAsync(61_000);
    // A prune runs here (a minute passed); x's window (2 minutes) is not over, so x2 still waits.
    driver.enqueue("test/item.touched", { itemId: "x2", bucket: "x" });
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["x1"]);
    await vi.advanceTimersByTimeAsync(59_000);
    await driver.idle();
    expect(started).toEqual(["x1", "x2"]);
  });

  it("fans out events from a step, and not twice when the job is retried", async () => {
    const checked: string[] = [];
    let fanOutAttempt = 0;
    createDriver([
      testJob({
        id: "fan-out",
        trigger: { cron: "*/15 * * * *" },
        payloadSchema: z.object({}),
        retries: 1,
        async handler({ step }) {
          await step.sendEvents("request-checks", [
            { name: "test/item.touched", payload: { itemId: "x" } },
            { name: "test/item.touched", payload: { itemId: "y" } },
          ]);
          if (fanOutAttempt++ === 0) throw new Error("crash after the fan-out");
        },
      }),
      testJob({
        id: "check-item",
        trigger: { event: "test/item.touched" },
        payloadSchema,
        retries: 0,
        async handler({ payload }) {
          checked.push(payload.itemId);
        },
      }),
    ]);

    driver.tick(new Date("2025-03-04T10:15:00Z"));
    await vi.advanceTimersByTimeAsync(60_000);
    await driver.idle();

    expect(fanOutAttempt).toBe(2);
    expect(checked.sort()).toEqual(["x", "y"]);
  });

  describe("cron", () => {
    function createCronDriver() {
      const handler = vi.fn(async () => undefined);
      createDriver([
        testJob({
          id: "quarterly",
          trigger: { cron: "*/15 * * * *" },
          payloadSchema: z.object({}),
          retries: 0,
          handler,
        }),
      ]);
      return handler;
    }

    it("a tick fires the jobs that are due in that minute, once", async () => {
      const handler = createCronDriver();

      driver.tick(new Date("2025-03-04T10:14:00Z"));
      await vi.advanceTimersByTimeAsync(0);
      expect(handler).not.toHaveBeenCalled();

      driver.tick(new Date("2025-03-04T10:15:00Z"));
      driver.tick(new Date("2025-03-04T10:15:40Z"));
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();
      expect(handler).toHaveBeenCalledTimes(1);
      expect(handler).toHaveBeenCalledWith(expect.objectContaining({ payload: {} }));
    });

    it("a late tick catches up on the due minute it missed", async () => {
      const handler = createCronDriver();
      driver.tick(new Date("2025-03-04T10:14:00Z"));
      driver.tick(new Date("2025-03-04T10:17:00Z"));
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();
      expect(handler).toHaveBeenCalledTimes(1);
    });

    it("start() checks once a minute on the minute, and stop() stops it", async () => {
      const handler = createCronDriver();
      driver.start(); // 10:14:30

      // The run a tick starts is itself a timer, so each step goes a second past the minute.
      await vi.advanceTimersByTimeAsync(31_000); // 10:15:01
      await driver.idle();
      expect(handler).toHaveBeenCalledTimes(1);

      await vi.advanceTimersByTimeAsync(14 * 60_000); // 10:29:01
      expect(handler).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(60_000); // 10:30:01
      await driver.idle();
      expect(handler).toHaveBeenCalledTimes(2);

      await driver.stop();
      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(handler).toHaveBeenCalledTimes(2);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it("stop() drops waiting retries without calling the failure handler and refuses new events", async () => {
    const handler = vi.fn(async () => {
      throw new Error("down");
    });
    const onFailure = vi.fn(async () => undefined);
    createDriver([
      testJob({ id: "down", trigger: { event: "test/item.touched" }, payloadSchema, retries: 5, handler, onFailure }),
    ]);

    driver.enqueue("test/item.touched", { itemId: randomUUID() });
    await vi.advanceTimersByTimeAsync(0);
    expect(handler).toHaveBeenCalledTimes(1);

    await driver.stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(onFailure).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    expect(() => driver.enqueue("test/item.touched", { itemId: "b" })).toThrow(/stopped/);
  });

  it("stop() waits for an executing attempt and does not retry it", async () => {
    const gate = deferred();
    const handler = vi.fn(async () => {
      await gate.promise;
      throw new Error("interrupted");
    });
    createDriver([
      testJob({ id: "slow", trigger: { event: "test/item.touched" }, payloadSchema, retries: 3, handler }),
    ]);

    driver.enqueue("test/item.touched", { itemId: "a" });
    await vi.advanceTimersByTimeAsync(0);
    let isStopped = false;
    const stopping = driver.stop().then(() => {
      isStopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(isStopped).toBe(false);

    gate.resolve();
    await stopping;
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  describe("handlers", () => {
    const touchItem = { id: "touch-item", trigger: { event: "test/item.touched" }, payloadSchema, retries: 1 } as const;

    it("imports a job's handler on its first run, not before, and only once", async () => {
      const run = vi.fn(async () => undefined);
      const load = vi.fn(async () => ({ handler: { jobId: "touch-item", run } }));
      driver = new LocalJobDriver({
        definitions: [touchItem],
        handlers: { "touch-item": load },
        logger: silentLogger(),
      });

      driver.enqueue("test/item.touched", { itemId: "a" });
      expect(load).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();
      driver.enqueue("test/item.touched", { itemId: "b" });
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();

      expect(load).toHaveBeenCalledTimes(1);
      expect(run).toHaveBeenCalledTimes(2);
    });

    it("counts a handler that failed to import as a failed attempt, and imports it again on the retry", async () => {
      const run = vi.fn(async () => undefined);
      const load = vi
        .fn<JobHandlerLoader>()
        .mockRejectedValueOnce(new Error("Cannot find module"))
        .mockResolvedValue({ handler: { jobId: "touch-item", run } });
      driver = new LocalJobDriver({
        definitions: [touchItem],
        handlers: { "touch-item": load },
        logger: silentLogger(),
        random: () => 0,
      });

      driver.enqueue("test/item.touched", { itemId: "a" });
      await vi.advanceTimersByTimeAsync(0);
      expect(run).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(RETRY_BASE_MS);
      await driver.idle();

      expect(load).toHaveBeenCalledTimes(2);
      expect(run).toHaveBeenCalledWith(expect.objectContaining({ payload: { itemId: "a" }, attempt: 1 }));
    });

    it("refuses a job without a handler when the driver is created", () => {
      expect(() => new LocalJobDriver({ definitions: [touchItem], handlers: {} })).toThrow(
        /No handler for job touch-item/,
      );
    });

    it("fails the run when the loader brings another job's handler, without running it", async () => {
      const run = vi.fn(async () => undefined);
      const logger = silentLogger();
      driver = new LocalJobDriver({
        definitions: [{ ...touchItem, retries: 0 }],
        handlers: { "touch-item": async () => ({ handler: { jobId: "other-job", run } }) },
        logger,
      });

      driver.enqueue("test/item.touched", { itemId: "a" });
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();

      expect(run).not.toHaveBeenCalled();
      expect(logger.error).toHaveBeenCalledWith(
        "touch-item failed",
        expect.objectContaining({ error: expect.stringMatching(/belongs to job other-job/) }),
      );
    });

    it("fails the run when the handler has an onFailure its definition does not declare", async () => {
      const run = vi.fn(async () => undefined);
      const onFailure = vi.fn(async () => undefined);
      const logger = silentLogger();
      driver = new LocalJobDriver({
        definitions: [{ ...touchItem, retries: 0 }],
        handlers: { "touch-item": async () => ({ handler: { jobId: "touch-item", run, onFailure } }) },
        logger,
      });

      driver.enqueue("test/item.touched", { itemId: "a" });
      await vi.advanceTimersByTimeAsync(0);
      await driver.idle();

      expect(run).not.toHaveBeenCalled();
      expect(onFailure).not.toHaveBeenCalled();
      expect(logger.error).toHaveBeenCalledWith(
        "touch-item failed",
        expect.objectContaining({ error: expect.stringMatching(/hasFailureHandler/) }),
      );
    });
  });
});
