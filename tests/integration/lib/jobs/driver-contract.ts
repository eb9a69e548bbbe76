import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { RETRY_BASE_MS } from "@/lib/jobs/retry";
import type {
  AnyJobDefinition,
  JobContext,
  JobDefinition,
  JobFailureContext,
  JobHandler,
  JobHandlerLoader,
  JobLogger,
  JobTrigger,
} from "@/lib/jobs/types";

/**
 * The contract every self-hosted job driver keeps, run against each of them on made-up jobs and
 * real time: lib/jobs/local-driver.ts (local-driver.contract.test.ts) and lib/jobs/postgres/
 * (postgres-driver.pg.test.ts, with TEST_DATABASE_URL); its jobs (contractJobs) also run on Inngest
 * as far as @inngest/test goes (inngest.contract.test.ts). Jitter is pinned to 0, so the first retry
 * comes RETRY_BASE_MS / 2 after a failure. The in-process driver's own details (throttle windows,
 * handler loading, stop) stay in local-driver.test.ts on a fake clock.
 */

export type TestJob = { definition: AnyJobDefinition; load: JobHandlerLoader };

export const silentLogger = (): JobLogger => ({ info() {}, warn() {}, error() {} });

/** A made-up job in one piece, handed to the driver as a definition and a handler loader. */
export function testJob<
  const TId extends string,
  const TTrigger extends JobTrigger,
  TSchema extends z.ZodType<Record<string, unknown>>,
>(
  job: Omit<JobDefinition<TSchema, TTrigger, TId>, "hasFailureHandler"> & {
    handler(ctx: JobContext<z.output<TSchema>>): Promise<unknown>;
    onFailure?(ctx: JobFailureContext<z.output<TSchema>>): Promise<void>;
  },
): TestJob {
  const { handler: run, onFailure, ...definition } = job;
  const handler = { jobId: job.id, run, onFailure } as JobHandler;
  return {
    definition: { ...definition, ...(onFailure && { hasFailureHandler: true }) },
    load: async () => ({ handler }),
  };
}

/** One running instance of a driver under test. */
export type ContractDriver = {
  enqueue(eventName: string, payload: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
  /** Makes the crons fire that are due in the next minute (the in-process driver's tick); or nothing. */
  fireCrons(): void;
};

export type DriverUnderTest = {
  name: string;
  /** Starts an instance running these jobs. Instances made in one test share their store. */
  start(jobs: TestJob[]): Promise<ContractDriver>;
  /** How long a cron may take to fire once fireCrons() was called. */
  cronWaitMs: number;
  /** Called after each test (drop the test's store). */
  cleanUp?(): Promise<void>;
};

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const payloadSchema = z.object({ itemId: z.string() });

/**
 * The made-up jobs of the contract, each with what it records. Every driver's suite runs these
 * same jobs: describeJobDriverContract below on the self-hosted drivers, and
 * inngest.contract.test.ts through the Inngest functions.
 */
export const contractJobs = {
  /** Parses its payload (with a transform) and records it with the attempt. */
  touchItem() {
    const seen: { payload: unknown; attempt: number }[] = [];
    const job = testJob({
      id: "touch-item",
      trigger: { event: "test/item.touched" },
      payloadSchema: z.object({ itemId: z.string() }).transform((p) => ({ ...p, kind: p.itemId.toUpperCase() })),
      retries: 0,
      async handler({ payload, attempt }) {
        seen.push({ payload, attempt });
      },
    });
    return { job, seen };
  },

  /** Uploads as a step, then fails its first attempt's second step. */
  flaky() {
    const uploads: number[] = [];
    const attempts: number[] = [];
    const failedAt: number[] = [];
    const job = testJob({
      id: "flaky",
      trigger: { event: "test/item.touched" },
      payloadSchema,
      retries: 3,
      async handler({ step, attempt }) {
        attempts.push(attempt);
        const receipt = await step.run("upload", async () => {
          uploads.push(attempt);
          return { reference: "R-1" };
        });
        return step.run("confirm", async () => {
          if (attempt === 0) {
            failedAt.push(Date.now());
            throw new Error("connection reset");
          }
          return receipt.reference;
        });
      },
    });
    return { job, uploads, attempts, failedAt };
  },

  /** Fails every attempt; its failure handler records what it got. */
  down() {
    const attempts: number[] = [];
    const failures: unknown[] = [];
    const job = testJob({
      id: "down",
      trigger: { event: "test/item.touched" },
      payloadSchema,
      retries: 2,
      async handler({ attempt }) {
        attempts.push(attempt);
        throw new Error("still down");
      },
      async onFailure({ payload, error }) {
        failures.push({ payload, error });
      },
    });
    return { job, attempts, failures };
  },

  /** Throws a NonRetriableJobError. */
  refused() {
    const attempts: number[] = [];
    const failures: string[] = [];
    const job = testJob({
      id: "refused",
      trigger: { event: "test/item.touched" },
      payloadSchema,
      retries: 5,
      async handler({ attempt }) {
        attempts.push(attempt);
        throw new NonRetriableJobError("package refused the document");
      },
      async onFailure({ error }) {
        failures.push(error.name);
      },
    });
    return { job, attempts, failures };
  },

  /** Asks for 2 s on its first attempt (a 429 with Retry-After). */
  rateLimited() {
    const startedAt: number[] = [];
    const job = testJob({
      id: "rate-limited",
      trigger: { event: "test/item.touched" },
      payloadSchema,
      retries: 1,
      async handler({ attempt }) {
        startedAt.push(Date.now());
        if (attempt === 0) throw new RetryAfterJobError("429", 2_000);
      },
    });
    return { job, startedAt };
  },

  /** Plans a time `sleepMs` ahead as a step, sleeps until it, then runs a last step. */
  sleeper(sleepMs = 1_500) {
    const before: number[] = [];
    const after: { attempt: number; at: number }[] = [];
    const slept = { until: 0 };
    const job = testJob({
      id: "sleeper",
      trigger: { event: "test/item.touched" },
      payloadSchema,
      retries: 2,
      async handler({ step, attempt }) {
        const until = await step.run("plan", async () => {
          before.push(attempt);
          return new Date(Date.now() + sleepMs).toISOString();
        });
        slept.until = new Date(until).getTime();
        await step.sleepUntil("wait", until);
        await step.run("after", async () => {
          after.push({ attempt, at: Date.now() });
        });
      },
    });
    return { job, before, after, slept };
  },

  /** Sends `events` as one step, then crashes on its first attempt. */
  fanOut(events: { name: string; payload: Record<string, unknown> }[]) {
    const attempts = { count: 0 };
    const job = testJob({
      id: "fan-out",
      trigger: { event: "test/batch.requested" },
      payloadSchema: z.object({ batch: z.string() }),
      retries: 1,
      async handler({ step }) {
        await step.sendEvents("request-checks", events);
        if (attempts.count++ === 0) throw new Error("crash after the fan-out");
      },
    });
    return { job, attempts };
  },

  /** A cron job every minute, recording its payload. */
  everyMinute() {
    const runs: unknown[] = [];
    const job = testJob({
      id: "every-minute",
      trigger: { cron: "* * * * *" },
      payloadSchema: z.object({}),
      retries: 0,
      async handler({ payload }) {
        runs.push(payload);
      },
    });
    return { job, runs };
  },
};

export function describeJobDriverContract(driver: DriverUnderTest): void {
  describe(`job driver contract: ${driver.name}`, () => {
    const running: ContractDriver[] = [];
    const start = async (jobs: TestJob[]) => {
      const instance = await driver.start(jobs);
      running.push(instance);
      return instance;
    };

    afterEach(async () => {
      for (const instance of running.splice(0)) await instance.stop();
      await driver.cleanUp?.();
    });

    it("runs a job for an event with the parsed payload, on its first attempt", async () => {
      const { job, seen } = contractJobs.touchItem();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => seen.length === 1, 10_000, "the run");
      expect(seen).toEqual([{ payload: { itemId: "a", kind: "A" }, attempt: 0 }]);
    });

    it("retries a failure after the backoff without re-running the steps that finished", async () => {
      const { job, uploads, attempts, failedAt } = contractJobs.flaky();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => attempts.length === 2, 10_000, "the retry");
      const retriedAt = Date.now();
      expect(attempts).toEqual([0, 1]);
      expect(uploads).toEqual([0]);
      expect(retriedAt - (failedAt[0] as number)).toBeGreaterThanOrEqual(RETRY_BASE_MS / 2 - 50);
    });

    it("gives up after the definition's retries and runs the failure handler once", async () => {
      const { job, attempts, failures } = contractJobs.down();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => failures.length === 1, 15_000, "the failure handler");
      await delay(1_500);
      expect(attempts).toEqual([0, 1, 2]);
      expect(failures).toEqual([{ payload: { itemId: "a" }, error: { name: "Error", message: "still down" } }]);
    });

    it("does not retry a NonRetriableJobError, and runs the failure handler once", async () => {
      const { job, attempts, failures } = contractJobs.refused();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => failures.length === 1, 10_000, "the failure handler");
      await delay(1_500);
      expect(attempts).toEqual([0]);
      expect(failures).toEqual(["NonRetriableJobError"]);
    });

    it("waits as long as a RetryAfterJobError asks", async () => {
      const { job, startedAt } = contractJobs.rateLimited();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => startedAt.length === 2, 10_000, "the retry");
      expect((startedAt[1] as number) - (startedAt[0] as number)).toBeGreaterThanOrEqual(1_950);
    });

    it("sleeps until the given time as a step: no attempt counted, earlier steps not run again", async () => {
      const { job, before, after, slept } = contractJobs.sleeper();
      const instance = await start([job]);
      await instance.enqueue("test/item.touched", { itemId: "a" });
      await waitFor(() => after.length === 1, 15_000, "the run after its sleep");
      await delay(500);
      expect(before).toEqual([0]);
      expect(after).toHaveLength(1);
      expect(after[0]?.attempt).toBe(0);
      expect(after[0]?.at).toBeGreaterThanOrEqual(slept.until);
    });

    it("runs one job at a time per concurrency key, and another key is not held up", async () => {
      const active = new Map<string, number>();
      const maxActive = new Map<string, number>();
      const finished: string[] = [];
      let overlapped = false;
      const instance = await start([
        testJob({
          id: "one-at-a-time",
          trigger: { event: "test/item.touched" },
          payloadSchema: z.object({ itemId: z.string(), connectionId: z.string() }),
          retries: 0,
          concurrency: { key: "connectionId", limit: 1 },
          async handler({ payload }) {
            const key = payload.connectionId;
            active.set(key, (active.get(key) ?? 0) + 1);
            maxActive.set(key, Math.max(maxActive.get(key) ?? 0, active.get(key) ?? 0));
            if ([...active.values()].filter((n) => n > 0).length > 1) overlapped = true;
            await delay(300);
            active.set(key, (active.get(key) ?? 1) - 1);
            finished.push(payload.itemId);
          },
        }),
      ]);
      for (const [itemId, connectionId] of [
        ["a1", "A"],
        ["a2", "A"],
        ["a3", "A"],
        ["b1", "B"],
        ["b2", "B"],
      ]) {
        await instance.enqueue("test/item.touched", { itemId, connectionId });
      }
      await waitFor(() => finished.length === 5, 20_000, "all five runs");
      expect(maxActive.get("A")).toBe(1);
      expect(maxActive.get("B")).toBe(1);
      expect(overlapped).toBe(true);
      // Within a key, in the order sent.
      expect(finished.filter((id) => id.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    });

    it("fans out events from a step, and not twice when the job is retried", async () => {
      const checked: string[] = [];
      const { job, attempts } = contractJobs.fanOut([
        { name: "test/item.touched", payload: { itemId: "x" } },
        { name: "test/item.touched", payload: { itemId: "y" } },
      ]);
      const instance = await start([
        job,
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
      await instance.enqueue("test/batch.requested", { batch: "1" });
      await waitFor(() => attempts.count === 2 && checked.length >= 2, 10_000, "the retried fan-out");
      await delay(1_000);
      expect(checked.sort()).toEqual(["x", "y"]);
    });

    it("fires a cron job once in its minute, with an empty payload", async () => {
      const { job, runs } = contractJobs.everyMinute();
      const instance = await start([job]);
      instance.fireCrons();
      await waitFor(() => runs.length >= 1, driver.cronWaitMs, "the cron run");
      expect(runs[0]).toEqual({});
    }, 120_000);
  });
}
