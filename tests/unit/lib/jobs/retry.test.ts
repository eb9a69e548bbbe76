import { describe, expect, it } from "vitest";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { backoffDelayMs, decideRetry, RETRY_BASE_MS, RETRY_MAX_MS } from "@/lib/jobs/retry";

describe("retry policy", () => {
  it("doubles the backoff per retry, between half and all of it", () => {
    expect(backoffDelayMs(1, () => 0)).toBe(RETRY_BASE_MS / 2);
    expect(backoffDelayMs(1, () => 0.999_999)).toBe(RETRY_BASE_MS);
    expect(backoffDelayMs(3, () => 0)).toBe(2 * RETRY_BASE_MS);
    expect(backoffDelayMs(4, () => 0.5)).toBe(6 * RETRY_BASE_MS);
  });

  it("never waits longer than the cap", () => {
    expect(backoffDelayMs(40, () => 0.999_999)).toBeLessThanOrEqual(RETRY_MAX_MS);
  });

  it("retries ordinary errors until the retries are spent", () => {
    expect(decideRetry(new Error("reset"), 0, 2, { random: () => 0 })).toEqual({ retry: true, delayMs: 500 });
    expect(decideRetry(new Error("reset"), 1, 2).retry).toBe(true);
    expect(decideRetry(new Error("reset"), 2, 2)).toEqual({ retry: false });
  });

  it("never retries a NonRetriableJobError", () => {
    expect(decideRetry(new NonRetriableJobError("refused"), 0, 5)).toEqual({ retry: false });
  });

  it("waits as asked by a RetryAfterJobError, as a delay or an instant", () => {
    expect(decideRetry(new RetryAfterJobError("429", 42_000), 0, 3)).toEqual({ retry: true, delayMs: 42_000 });
    const now = Date.parse("2025-03-04T10:00:00Z");
    const until = new Date("2025-03-04T10:01:00Z");
    expect(decideRetry(new RetryAfterJobError("429", until), 0, 3, { now })).toEqual({ retry: true, delayMs: 60_000 });
    expect(new RetryAfterJobError("429", new Date(now - 5_000)).delayMs(now)).toBe(0);
  });
});
