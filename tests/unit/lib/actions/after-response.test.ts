import { describe, expect, it, vi } from "vitest";
import { runAfterResponse } from "@/lib/actions/after-response";

// Outside a Next.js request (this test) `after` refuses; the task must still run, and its failure
// must be logged rather than thrown into the caller or left unhandled.

describe("runAfterResponse outside a request", () => {
  it("runs the task at once, without making the caller wait for it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const steps: string[] = [];
    runAfterResponse("test", async () => {
      steps.push("started");
      await gate;
      steps.push("finished");
    });
    steps.push("caller goes on");
    expect(steps).toEqual(["started", "caller goes on"]);
    release();
    await vi.waitFor(() => expect(steps).toContain("finished"));
  });

  it("logs a failure with the task's name instead of throwing it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => runAfterResponse("exact-subscriptions", () => Promise.reject(new Error("boom")))).not.toThrow();
    await vi.waitFor(() =>
      expect(error).toHaveBeenCalledWith("[after-response] exact-subscriptions failed", expect.any(Error)),
    );
    error.mockRestore();
  });
});
