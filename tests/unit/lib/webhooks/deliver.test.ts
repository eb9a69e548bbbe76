import { describe, expect, it } from "vitest";
import { RETRY_BASE_MS, RETRY_MAX_MS, retryDelayMs } from "@/lib/webhooks/deliver";

describe("retryDelayMs", () => {
  it("doubles from 30 seconds up to an hour", () => {
    const full = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((tries) => retryDelayMs(tries, full))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });

  it("takes off up to a quarter at random, never more", () => {
    expect(retryDelayMs(1, () => 0)).toBe(RETRY_BASE_MS * 0.75);
    expect(retryDelayMs(30, () => 0)).toBe(RETRY_MAX_MS * 0.75);
    expect(retryDelayMs(2, () => 0.5)).toBe(Math.round(60_000 * 0.875));
  });
});
