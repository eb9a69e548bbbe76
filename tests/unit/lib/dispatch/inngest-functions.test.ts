import { randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { functions } from "@/inngest";
import { autoSend } from "@/lib/dispatch/auto-send";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { parseJobEvent } from "@/lib/jobs/registry";

// The deliver and auto-send Inngest functions, run by @inngest/test's engine: the thin function
// calls lib/dispatch with the event's ids, and the job errors become Inngest's. lib/dispatch is
// mocked here; its integration tests run it against a database.

vi.mock("@/lib/dispatch/deliver", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/dispatch/deliver")>()),
  deliverDispatch: vi.fn(),
  failUnfinishedDispatch: vi.fn(),
}));
vi.mock("@/lib/dispatch/auto-send", () => ({ autoSend: vi.fn() }));
const FAKE_DB = { fake: "db" };
vi.mock("@/db", () => ({ getDb: vi.fn(async () => FAKE_DB) }));

function findFunction(id: string) {
  const fn = functions.find((f) => f.id() === id);
  if (!fn) throw new Error(`no function ${id}`);
  return fn;
}

afterEach(() => {
  vi.mocked(deliverDispatch).mockReset();
  vi.mocked(autoSend).mockReset();
  vi.restoreAllMocks();
});

const dispatchId = randomUUID();
// Shaped as before the throttle: without throttleKey, as events still in flight at a deploy are.
const deliverEvent = { name: "dispatch/dispatch.requested", data: { dispatchId, concurrencyKey: "email:2" } };

describe("deliver payload", () => {
  it("carries the throttle key it was given", () => {
    const payload = { dispatchId, concurrencyKey: "connection-1", throttleKey: "exact-online:abc:123456" };
    expect(parseJobEvent(deliverEvent.name, payload).payload).toEqual(payload);
  });

  it("still parses an event sent before the throttle, throttled alone by its dispatch id", () => {
    expect(parseJobEvent(deliverEvent.name, deliverEvent.data).payload).toEqual({
      dispatchId,
      concurrencyKey: "email:2",
      throttleKey: dispatchId,
    });
  });

  it("refuses an empty throttle key", () => {
    expect(() => parseJobEvent(deliverEvent.name, { ...deliverEvent.data, throttleKey: "" })).toThrow(/throttleKey/);
  });
});

describe("deliver (Inngest)", () => {
  it("delivers the dispatch of the event, as a first try (an event without throttleKey too)", async () => {
    vi.mocked(deliverDispatch).mockResolvedValue({ outcome: "sent", attempt: 1, packageReference: "re_1" });
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    const { result } = await t.execute({ events: [deliverEvent] });
    expect(result).toEqual({ outcome: "sent", attempt: 1, packageReference: "re_1" });
    expect(deliverDispatch).toHaveBeenCalledWith(FAKE_DB, dispatchId, {});
  });

  it("delivers an event that carries a throttle key the same way", async () => {
    vi.mocked(deliverDispatch).mockResolvedValue({ outcome: "sent", attempt: 1, packageReference: "D-1" });
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    const data = { ...deliverEvent.data, throttleKey: "exact-online:abc:123456" };
    const { result } = await t.execute({ events: [{ name: deliverEvent.name, data }] });
    expect(result).toEqual({ outcome: "sent", attempt: 1, packageReference: "D-1" });
    expect(deliverDispatch).toHaveBeenCalledWith(FAKE_DB, dispatchId, {});
  });

  it("stops retrying when the delivery failed for good", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.mocked(deliverDispatch).mockRejectedValue(new NonRetriableJobError("permanent recipient_refused"));
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    const { error } = await t.execute({ events: [deliverEvent] });
    expect(error).toMatchObject({ name: "NonRetriableError", message: "permanent recipient_refused" });
  });

  it("a retryable failure sleeps until the stored next try (step.sleepUntil) and tries again as the same run", async () => {
    const nextAttemptAt = new Date(Date.now() + 15 * 60_000).toISOString();
    vi.mocked(deliverDispatch)
      .mockResolvedValueOnce({ outcome: "waiting", nextAttemptAt, attemptCount: 1 })
      .mockResolvedValueOnce({ outcome: "waiting", nextAttemptAt, attemptCount: 2 })
      .mockResolvedValueOnce({ outcome: "sent", attempt: 3, packageReference: "re_3" });
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    // @inngest/test does not pass sleeps by itself: each is mocked as done (Inngest's own ids for a
    // repeated step name: "name", "name:1", …).
    const slept = { handler: () => undefined };
    const { result, ctx } = await t.execute({
      events: [deliverEvent],
      steps: [
        { id: "wait-for-next-try", ...slept },
        { id: "wait-for-next-try:1", ...slept },
      ],
    });
    expect(result).toEqual({ outcome: "sent", attempt: 3, packageReference: "re_3" });
    // Each later try names the try count it slept on: a run another one overtook does nothing.
    expect(vi.mocked(deliverDispatch).mock.calls.map((call) => call[2])).toEqual([
      {},
      { expectedAttemptCount: 1 },
      { expectedAttemptCount: 2 },
    ]);
    const sleeps = vi.mocked(ctx.step.sleepUntil).mock.calls;
    expect(sleeps).toEqual([
      ["wait-for-next-try", nextAttemptAt],
      ["wait-for-next-try", nextAttemptAt],
    ]);
    // Inngest's own retries are untouched by the waiting: no error was thrown.
    expect(ctx.attempt).toBe(0);
  });

  it("waits as long as the package asked before the next try", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.mocked(deliverDispatch).mockRejectedValue(new RetryAfterJobError("rate_limited", 30_000));
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    const { error } = await t.execute({ events: [deliverEvent] });
    expect(error).toMatchObject({ name: "RetryAfterError" });
  });

  it("refuses an event without a dispatch id, without retrying", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const t = new InngestTestEngine({ function: findFunction("deliver") });
    const { error } = await t.execute({ events: [{ name: deliverEvent.name, data: { concurrencyKey: "email:0" } }] });
    expect(error).toMatchObject({ name: "NonRetriableError" });
    expect(deliverDispatch).not.toHaveBeenCalled();
  });
});

describe("auto-send (Inngest)", () => {
  it("runs autoSend for the recognised document", async () => {
    const documentId = randomUUID();
    vi.mocked(autoSend).mockResolvedValue({ outcome: "skipped", reason: "auto_send_off" });
    const t = new InngestTestEngine({ function: findFunction("auto-send") });
    const { result } = await t.execute({ events: [{ name: "documents/document.recognised", data: { documentId } }] });
    expect(result).toEqual({ outcome: "skipped", reason: "auto_send_off" });
    expect(autoSend).toHaveBeenCalledWith(FAKE_DB, documentId);
  });
});
