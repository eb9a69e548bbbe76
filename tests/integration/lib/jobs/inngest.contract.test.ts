import { InngestTestEngine, mockCtx } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { functions, inngest } from "@/inngest";
import { createInngestFunction, toInngestError } from "@/inngest/functions/from-definition";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { DISPATCH_REQUESTED } from "@/lib/jobs/definitions/deliver";
import { RetryAfterJobError } from "@/lib/jobs/errors";
import { enableTestOnlyPackages } from "@/lib/packages/catalog";
import { type FakeTestApi, startFakeTestApi } from "../../../fakes/test-api";
import { createTestDb } from "../../../helpers/db";
import { useTestEncryptionKey } from "../connections/helpers";
import { insertSendableDocument } from "../dispatch/setup";
import { connectNewDossier, createWorld, type World } from "../integrations/setup";
import { contractJobs, type TestJob } from "./driver-contract";

/**
 * The job driver contract (driver-contract.ts: the in-process and PostgreSQL drivers run it in real
 * time) on Inngest, as far as @inngest/test 1.0 goes: the same jobs (contractJobs) and the real
 * deliver job, through the Inngest functions that inngest/functions/from-definition.ts builds (as
 * inngest/index.ts does for every definition), run by the test engine's
 * real execution (step memoization, the SDK's error handling). The engine runs one execution at a
 * time and never decides anything Inngest's server decides, so where the contract needs the server
 * this file plays it the smallest way: it runs the next execution itself, at the next attempt number,
 * handing back the steps that finished as Inngest's memoized state (`replay` below).
 *
 * Proven here on Inngest: the parsed payload and attempt 0 on a first run; a retry gets its attempt
 * number and does not run again the steps that finished; a NonRetriableJobError reaches Inngest as
 * NonRetriableError (no retry), a RetryAfterJobError as RetryAfterError with its delay, any other
 * error unchanged (Inngest's backoff); step.sleepUntil is Inngest's sleep step to the given time, the
 * steps before it not run again after it; step.sendEvents is one step (validated events, sent once,
 * not again on a retry); a cron function's handler gets an empty payload; the failure handler gets
 * the original payload and the error (run through a stand-in function on `inngest/function.failed`);
 * and the real deliver flow (lib/jobs/handlers/deliver.ts on PGlite, the Test API fake): filed once,
 * its finished try not run again on a replay, a package that is down tried again after the stored
 * wait as the same run.
 *
 * Stays untested on Inngest, because only Inngest's server does it and @inngest/test 1.0 has no
 * server (no queue, no clock, one function at a time):
 * - retries themselves: that a failed run is tried again, how many times (`retries`), and when
 *   (Inngest's backoff; the RetryAfterError's delay honoured);
 * - onFailure being called once after the last attempt (the engine never calls it:
 *   `isFailureHandler: false`, a TODO in the engine);
 * - concurrency per key and throttle (only their config is checked: tests/unit/inngest/
 *   function-configs.test.ts and functions.test.ts);
 * - cron schedules firing (the config is checked there too);
 * - sleeping until the time (the engine stops at the sleep; this file hands the sleep back as done);
 * - events reaching the functions that listen to them (the engine runs one function; the sent
 *   events are checked as sent);
 * - recovery after a crash mid-step (Inngest re-runs the step: the deliver step's idempotency is
 *   proven on the other drivers, kill.pg.test.ts and kill-instances.pg.test.ts).
 */

type Execution = Awaited<ReturnType<InngestTestEngine["execute"]>>;
type InngestFunctionLike = ConstructorParameters<typeof InngestTestEngine>[0]["function"];
type MockedStep = NonNullable<ConstructorParameters<typeof InngestTestEngine>[0]["steps"]>[number];
type TestEvent = { name: string; data: Record<string, unknown> };

const itemEvent: TestEvent = { name: "test/item.touched", data: { itemId: "a" } };

function inngestFunctionOf(job: TestJob) {
  return createInngestFunction(job.definition, job.load);
}

/** One execution, as Inngest's executor starts it: at `attempt`, with the finished steps memoized. */
function execute(fn: InngestFunctionLike, event: TestEvent, options: { attempt?: number; steps?: MockedStep[] } = {}) {
  const attempt = options.attempt ?? 0;
  return new InngestTestEngine({
    function: fn,
    events: [event as never],
    steps: options.steps ?? [],
    transformCtx: (ctx) => ({ ...mockCtx(ctx), attempt }) as never,
  }).execute();
}

/** The steps an execution finished, as the memoized state Inngest hands the next one. */
async function finishedSteps(execution: Execution, earlier: MockedStep[] = []): Promise<MockedStep[]> {
  const steps = [...earlier];
  for (const [id, promise] of Object.entries(execution.state)) {
    const [settled] = await Promise.allSettled([promise]);
    if (settled?.status === "fulfilled") steps.push({ id, idIsHashed: true, handler: () => settled.value });
  }
  return steps;
}

/** What Inngest does after a failed execution that may be retried: the next attempt, steps memoized. */
async function replay(fn: InngestFunctionLike, event: TestEvent, previous: Execution, attempt: number) {
  return execute(fn, event, { attempt, steps: await finishedSteps(previous) });
}

/**
 * The function's failure handler as Inngest runs it once the last attempt failed: the SDK's own
 * failure execution (the error read from the `inngest/function.failed` event), which @inngest/test
 * 1.0 never selects by itself (it always runs the main handler).
 */
function failureRunOf(fn: ReturnType<typeof createInngestFunction>): InngestFunctionLike {
  type Executable = { createExecution(options: { partialOptions: Record<string, unknown> }): unknown };
  const failureRun = Object.create(fn) as Executable;
  failureRun.createExecution = (options) =>
    (fn as unknown as Executable).createExecution.call(failureRun, {
      ...options,
      partialOptions: { ...options.partialOptions, handlerKind: "failure" },
    });
  return failureRun as unknown as InngestFunctionLike;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("job driver contract: Inngest (@inngest/test)", () => {
  it("runs a job for an event with the parsed payload, on its first attempt", async () => {
    const { job, seen } = contractJobs.touchItem();
    const { error } = await execute(inngestFunctionOf(job), itemEvent);
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ payload: { itemId: "a", kind: "A" }, attempt: 0 }]);
  });

  it("hands a failure to Inngest as itself, and a retry does not re-run the steps that finished", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { job, uploads, attempts } = contractJobs.flaky();
    const fn = inngestFunctionOf(job);
    const first = await execute(fn, itemEvent);
    // A plain error: Inngest retries it with its own backoff.
    expect(first.error).toMatchObject({ name: "Error", message: "connection reset" });

    const second = await replay(fn, itemEvent, first, 1);
    expect(second.result).toBe("R-1");
    expect(uploads).toEqual([0]);
    expect(new Set(attempts)).toEqual(new Set([0, 1]));
  });

  it("does not let Inngest retry a NonRetriableJobError", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { job, attempts } = contractJobs.refused();
    const { error } = await execute(inngestFunctionOf(job), itemEvent);
    expect(error).toMatchObject({ name: "NonRetriableError", message: "package refused the document" });
    expect(attempts).toEqual([0]);
  });

  it("asks Inngest to wait as long as a RetryAfterJobError says", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { job } = contractJobs.rateLimited();
    const { error } = await execute(inngestFunctionOf(job), itemEvent);
    expect(error).toMatchObject({ name: "RetryAfterError", message: "429" });
    // What Inngest reads: the delay in seconds.
    expect(toInngestError(new RetryAfterJobError("429", 2_000))).toMatchObject({ retryAfter: "2" });
  });

  it("sleeps until the given time as Inngest's sleep step; the steps before it do not run again", async () => {
    // A year ahead: the engine stops at the sleep (a near one it would wait out in real time).
    const { job, before, after, slept } = contractJobs.sleeper(365 * 24 * 3_600_000);
    const fn = inngestFunctionOf(job);
    const planned = await new InngestTestEngine({ function: fn, events: [itemEvent as never] }).executeStep("wait");
    // The run stops at the sleep: Inngest's server wakes it at the time given.
    expect(planned.step).toMatchObject({ op: "Sleep", displayName: "wait", name: new Date(slept.until).toISOString() });

    const woken = await execute(fn, itemEvent, {
      steps: [...(await finishedSteps(planned as Execution)), { id: "wait", handler: () => null }],
    });
    expect(woken.error).toBeUndefined();
    expect(before).toEqual([0]);
    expect(after.map((run) => run.attempt)).toEqual([0]);
  });

  it("fans out events from a step, and not twice when the job is retried", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    // What step.sendEvent posts to Inngest's event API.
    const send = vi.spyOn(inngest as unknown as { _send: () => Promise<unknown> }, "_send").mockResolvedValue({
      ids: ["e1"],
    });
    const dispatchId = "0b9f8a52-6c1d-4e2f-8a3b-4c5d6e7f8091";
    // A real event: the Inngest adapter validates what it sends against the registry.
    const { job, attempts } = contractJobs.fanOut([
      { name: DISPATCH_REQUESTED, payload: { dispatchId, concurrencyKey: "connection-1" } },
    ]);
    const fn = inngestFunctionOf(job);
    const batchEvent = { name: "test/batch.requested", data: { batch: "1" } };
    const first = await execute(fn, batchEvent);
    expect(first.error).toMatchObject({ message: "crash after the fan-out" });
    const second = await replay(fn, batchEvent, first, 1);
    expect(second.error).toBeUndefined();
    expect(attempts.count).toBe(2);
    expect(send).toHaveBeenCalledTimes(1);
    // Validated against the event's schema (its defaults filled in) before it left.
    expect((send.mock.calls[0] as unknown as [{ payload: unknown }])[0].payload).toEqual([
      { name: DISPATCH_REQUESTED, data: { dispatchId, concurrencyKey: "connection-1", throttleKey: dispatchId } },
    ]);
  });

  it("runs a cron job's handler with an empty payload", async () => {
    const { job, runs } = contractJobs.everyMinute();
    await execute(inngestFunctionOf(job), { name: "inngest/scheduled.timer", data: { cron: "* * * * *" } });
    expect(runs).toEqual([{}]);
  });

  it("hands the failure handler the original payload and the last error", async () => {
    const { job, failures } = contractJobs.down();
    await execute(failureRunOf(inngestFunctionOf(job)), {
      name: "inngest/function.failed",
      data: {
        function_id: "koppel-down",
        run_id: "r1",
        event: itemEvent,
        error: { name: "Error", message: "still down" },
      },
    });
    expect(failures).toEqual([{ payload: { itemId: "a" }, error: { name: "Error", message: "still down" } }]);
  });
});

describe("the deliver flow on Inngest (@inngest/test, PGlite, the Test API fake)", () => {
  let opened: OpenedDb;
  let world: World;
  let fake: FakeTestApi;
  let hideTestOnlyPackages: () => void;
  const deliverFunction = functions.find((fn) => fn.id() === "deliver") as InngestFunctionLike;

  beforeAll(async () => {
    useTestEncryptionKey();
    vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
    resetEnvCache();
    hideTestOnlyPackages = enableTestOnlyPackages();
    fake = await startFakeTestApi();
    opened = await createTestDb();
    globalThis.__koppelDb = Promise.resolve(opened);
    world = await createWorld(opened.db);
  });

  afterAll(async () => {
    hideTestOnlyPackages?.();
    vi.unstubAllEnvs();
    resetEnvCache();
    globalThis.__koppelDb = undefined;
    await fake?.close();
    await opened?.close();
  });

  /** A document sent on a Test API connection; the deliver event requestSend enqueued. */
  async function requestDelivery(): Promise<{ documentId: string; event: TestEvent }> {
    const { dossier } = await connectNewDossier(
      opened.db,
      world,
      {
        packageId: "test-api",
        label: `Test API ${fake.documents.length}`,
        settings: { baseUrl: fake.url },
        secrets: { apiKey: fake.apiKey },
      },
      { ledgerId: fake.ledgerId },
    );
    const document = await insertSendableDocument(opened.db, dossier);
    const events: TestEvent[] = [];
    await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
      {
        enqueue: async (payloads) => {
          for (const data of payloads) events.push({ name: DISPATCH_REQUESTED, data });
        },
      },
    );
    const [event] = events;
    if (!event) throw new Error("nothing enqueued");
    return { documentId: document.id, event };
  }

  const filedFor = (dispatchId: unknown) => fake.documents.filter((document) => document.reference === dispatchId);

  it("files the document once; replayed with its finished try, it does not call the package again", async () => {
    const { event } = await requestDelivery();
    const first = await execute(deliverFunction, event);
    expect(first.result).toMatchObject({ outcome: "sent" });
    expect(filedFor(event.data.dispatchId)).toHaveLength(1);

    const uploads = fake.counts.uploads;
    const replayed = await replay(deliverFunction, event, first, 1);
    expect(replayed.result).toEqual(first.result);
    expect(fake.counts.uploads).toBe(uploads);
    expect(filedFor(event.data.dispatchId)).toHaveLength(1);
  });

  it("tries a package that is down again after the stored wait, as the same run, and files once", async () => {
    const { event } = await requestDelivery();
    fake.failNext(503);
    const engine = new InngestTestEngine({ function: deliverFunction, events: [event as never] });
    const firstTry = await engine.executeStep("deliver");
    // The first try recorded its failure and the time of the next; the run sleeps until then
    // ("wait-for-next-try", handed back below as done: the engine would sleep for real).
    expect(firstTry.result).toMatchObject({ outcome: "waiting", attemptCount: 1 });
    expect(filedFor(event.data.dispatchId)).toHaveLength(0);
    const tried = await finishedSteps(firstTry as Execution);
    // Inngest wakes the run at that time: the clock moved on to it.
    await opened.db
      .update(dispatches)
      .set({ nextAttemptAt: new Date() })
      .where(eq(dispatches.id, event.data.dispatchId as string));

    const woken = await execute(deliverFunction, event, {
      steps: [...tried, { id: "wait-for-next-try", handler: () => null }],
    });
    expect(woken.result).toMatchObject({ outcome: "sent", attempt: 2 });
    expect(filedFor(event.data.dispatchId)).toHaveLength(1);
  });
});
