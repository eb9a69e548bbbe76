import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY, MAX_THROTTLE_KEY_LENGTH } from "@/lib/dispatch/plan";
import { deliver, deliverPayloadSchema } from "@/lib/jobs/definitions/deliver";

// The deliver definition states its limits itself, because a definition loads no service code;
// lib/dispatch keeps the originals. These must not drift apart.

describe("the deliver job's limits", () => {
  it("are lib/dispatch's: deliveries a minute per throttle key, and the longest throttle key", () => {
    expect(deliver.throttle?.limit).toBe(DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY);

    const withThrottleKey = (length: number) => ({
      dispatchId: randomUUID(),
      concurrencyKey: "connection-1",
      throttleKey: "k".repeat(length),
    });
    expect(deliverPayloadSchema.safeParse(withThrottleKey(MAX_THROTTLE_KEY_LENGTH)).success).toBe(true);
    expect(deliverPayloadSchema.safeParse(withThrottleKey(MAX_THROTTLE_KEY_LENGTH + 1)).success).toBe(false);
  });
});
