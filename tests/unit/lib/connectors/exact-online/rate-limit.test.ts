import { describe, expect, it } from "vitest";
import {
  ExactRateLimiter,
  memoryCallLimitStore,
  type RateLimitClock,
} from "@/lib/connectors/api/exact-online/rate-limit";
import { ConnectorError } from "@/lib/connectors/errors";

/** A clock that moves only when the test says so; sleeps end when it passes their time. */
function manualClock(start = 1_750_000_000_000) {
  let now = start;
  const sleepers: { at: number; resolve: () => void }[] = [];
  const clock: RateLimitClock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const sleeper = { at: now + ms, resolve };
        sleepers.push(sleeper);
        signal.addEventListener(
          "abort",
          () => {
            sleepers.splice(sleepers.indexOf(sleeper), 1);
            reject(signal.reason);
          },
          { once: true },
        );
      }),
  };
  return {
    clock,
    get now() {
      return now;
    },
    async advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.filter((candidate) => candidate.at <= now)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
      await settle();
    },
  };
}

/** Lets pending promise callbacks run (no time passes on the manual clock). */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function headers(values: Record<string, number>) {
  const map = new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { get: (name: string) => map.get(name.toLowerCase()) ?? null };
}

function minutely(limit: number, remaining: number, reset: number) {
  return headers({
    "X-RateLimit-Minutely-Limit": limit,
    "X-RateLimit-Minutely-Remaining": remaining,
    "X-RateLimit-Minutely-Reset": reset,
  });
}

/** Starts an acquire and reports whether it resolved, rejected or is still waiting. */
function track<T>(promise: Promise<T>) {
  const state: { status: "waiting" | "resolved" | "rejected"; value?: T; error?: unknown } = { status: "waiting" };
  promise.then(
    (value) => Object.assign(state, { status: "resolved", value }),
    (error: unknown) => Object.assign(state, { status: "rejected", error }),
  );
  return state;
}

const KEY = "https://start.exactonline.be|client|100001";
const ENDPOINT = "documents/Documents";
const never = new AbortController().signal;

describe("ExactRateLimiter: the minutely budget", () => {
  it("sends one call at a time while the budget is unknown, then as many as the headers allow", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    const probe = await limiter.acquire(KEY, ENDPOINT, never);
    const second = track(limiter.acquire(KEY, ENDPOINT, never));
    await settle();
    expect(second.status).toBe("waiting");

    probe.settle(200, minutely(60, 59, time.now + 60_000));
    await settle();
    expect(second.status).toBe("resolved");
    expect(await limiter.describe(KEY)).toMatchObject({ minutelyRemaining: 58, inFlight: 1 });
  });

  it("reserves before sending: concurrent calls never exceed what is left, the rest wait for the reset", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    const reset = time.now + 60_000;
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(3, 2, reset));

    const calls = [0, 1, 2].map(() => track(limiter.acquire(KEY, ENDPOINT, never)));
    await settle();
    expect(calls.map((call) => call.status)).toEqual(["resolved", "resolved", "waiting"]);

    await time.advance(59_999);
    expect(calls[2]?.status).toBe("waiting");
    await time.advance(1);
    expect(calls[2]?.status).toBe("resolved");
  });

  it("keeps a margin past Exact's reset for clock differences", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 250 });
    const reset = time.now + 1_000;
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(1, 0, reset));
    const next = track(limiter.acquire(KEY, ENDPOINT, never));
    await time.advance(1_000);
    expect(next.status).toBe("waiting");
    await time.advance(250);
    expect(next.status).toBe("resolved");
  });

  it("takes the lower of its own count and Exact's, counting calls still in flight as spent", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    const reset = time.now + 60_000;
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(60, 50, reset));
    const inFlight = await limiter.acquire(KEY, ENDPOINT, never);
    const answered = await limiter.acquire(KEY, ENDPOINT, never);
    // Someone else used the division too: Exact says 10 left after `answered`.
    answered.settle(200, minutely(60, 10, reset));
    expect((await limiter.describe(KEY)).minutelyRemaining).toBe(9);
    inFlight.settle(200, minutely(60, 9, reset));
    expect((await limiter.describe(KEY)).minutelyRemaining).toBe(9);
  });

  it("ignores an answer about a minute it already moved past", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    const firstReset = time.now + 1_000;
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(5, 3, firstReset));
    const late = await limiter.acquire(KEY, ENDPOINT, never);
    await time.advance(1_000);
    const fresh = await limiter.acquire(KEY, ENDPOINT, never);
    late.settle(200, minutely(5, 0, firstReset));
    expect((await limiter.describe(KEY)).minutelyRemaining).toBe(4);
    fresh.settle(200, minutely(5, 4, firstReset + 60_000));
    expect(await limiter.describe(KEY)).toMatchObject({ minutelyRemaining: 4, minutelyReset: firstReset + 60_000 });
  });

  it("gives up with a retryable rate_limited when the wait is longer than allowed", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0, maxWaitMs: 10_000 });
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(429, minutely(60, 0, time.now + 45_000));
    const error = await limiter.acquire(KEY, ENDPOINT, never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: "retryable", code: "rate_limited", retryAfterMs: 45_000 });
  });

  it("stops waiting when the call's signal aborts", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(60, 0, time.now + 30_000));
    const controller = new AbortController();
    const waiting = track(limiter.acquire(KEY, ENDPOINT, controller.signal));
    await time.advance(10_000);
    expect(waiting.status).toBe("waiting");
    controller.abort();
    await settle();
    expect(waiting).toMatchObject({ status: "rejected", error: { code: "rate_limited", kind: "retryable" } });
  });

  it("keeps keys apart: another division has its own budget", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(60, 0, time.now + 30_000));
    const other = track(limiter.acquire(`${KEY}9`, ENDPOINT, never));
    await settle();
    expect(other.status).toBe("resolved");
  });

  it("after a 429 without headers waits for an answer or the end of the minute", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0, maxWaitMs: 60_000 });
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(200, minutely(60, 5, time.now + 30_000));
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(429, headers({}));
    const next = track(limiter.acquire(KEY, ENDPOINT, never));
    await time.advance(29_999);
    expect(next.status).toBe("waiting");
    await time.advance(1);
    expect(next.status).toBe("resolved");
  });
});

describe("ExactRateLimiter: the daily budget", () => {
  it("refuses with quota_exceeded until the daily reset, without waiting", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    const dailyReset = time.now + 5 * 60 * 60_000;
    (await limiter.acquire(KEY, ENDPOINT, never)).settle(
      200,
      headers({
        "X-RateLimit-Limit": 5000,
        "X-RateLimit-Remaining": 0,
        "X-RateLimit-Reset": dailyReset,
        "X-RateLimit-Minutely-Limit": 60,
        "X-RateLimit-Minutely-Remaining": 40,
        "X-RateLimit-Minutely-Reset": time.now + 60_000,
      }),
    );
    const error = await limiter.acquire(KEY, ENDPOINT, never).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "retryable", code: "quota_exceeded", retryAfterMs: dailyReset - time.now });
    await time.advance(5 * 60 * 60_000);
    await expect(limiter.acquire(KEY, ENDPOINT, never)).resolves.toBeDefined();
  });
});

describe("ExactRateLimiter: the error breaker", () => {
  async function answerWith(limiter: ExactRateLimiter, status: number, endpoint = ENDPOINT) {
    (await limiter.acquire(KEY, endpoint, never)).settle(status, headers({}));
  }

  it("stops calling an endpoint after 8 error answers within the hour, until the oldest is an hour old", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    for (const status of [400, 401, 403, 404, 400, 400, 400]) {
      await answerWith(limiter, status);
      await time.advance(60_000);
    }
    // 200 and 500 answers are not counted by Exact's block.
    await answerWith(limiter, 200);
    await answerWith(limiter, 500);
    await answerWith(limiter, 400);
    const error = await limiter.acquire(KEY, ENDPOINT, never).catch((caught: unknown) => caught);
    // The first error came 7 minutes before the 8th.
    expect(error).toMatchObject({ kind: "retryable", code: "blocked_after_errors", retryAfterMs: 53 * 60_000 });

    // Other endpoints of the same key still go.
    (await limiter.acquire(KEY, "documents/DocumentAttachments", never)).settle(201, headers({}));

    await time.advance(53 * 60_000 - 1);
    await expect(limiter.acquire(KEY, ENDPOINT, never)).rejects.toMatchObject({ code: "blocked_after_errors" });
    await time.advance(1);
    await expect(limiter.acquire(KEY, ENDPOINT, never)).resolves.toBeDefined();
  });

  it("does not count a call released without an answer", async () => {
    const time = manualClock();
    const limiter = new ExactRateLimiter({ clock: time.clock, resetMarginMs: 0 });
    for (let i = 0; i < 20; i++) (await limiter.acquire(KEY, ENDPOINT, never)).release();
    await expect(limiter.acquire(KEY, ENDPOINT, never)).resolves.toBeDefined();
  });
});

describe("ExactRateLimiter: one store shared by several instances", () => {
  // Two limiters on one store stand for two instances on one database (lib/connections/call-limits.ts
  // is the database's store; tests/integration/lib/connectors/exact-online/two-instances.pg.test.ts
  // runs two processes against PostgreSQL).
  function twoInstances(options: { leaseMs?: number; pollMs?: number } = {}) {
    const time = manualClock();
    const store = memoryCallLimitStore();
    const make = () => new ExactRateLimiter({ clock: time.clock, store, resetMarginMs: 0, ...options });
    return { time, one: make(), other: make() };
  }

  it("spends one budget: what one instance reserved, the other cannot take", async () => {
    const { time, one, other } = twoInstances();
    const reset = time.now + 60_000;
    await (await one.acquire(KEY, ENDPOINT, never)).settle(200, minutely(3, 2, reset));
    const first = await one.acquire(KEY, ENDPOINT, never);
    const second = await other.acquire(KEY, ENDPOINT, never);
    const third = track(other.acquire(KEY, ENDPOINT, never));
    const fourth = track(one.acquire(KEY, ENDPOINT, never));
    await settle();
    expect([third.status, fourth.status]).toEqual(["waiting", "waiting"]);
    expect(await other.describe(KEY)).toMatchObject({ minutelyRemaining: 0, inFlight: 2 });
    // Exact says 1 left after `first`: the other instance's call in flight is counted already.
    await first.settle(200, minutely(3, 1, reset));
    expect(await one.describe(KEY)).toMatchObject({ minutelyRemaining: 0, inFlight: 1 });
    await second.settle(200, minutely(3, 0, reset));
    await settle(); // the woken waiters go back to sleep until the reset
    await time.advance(60_000);
    expect([third.status, fourth.status]).toEqual(["resolved", "resolved"]);
  });

  it("with an unknown budget lets one call through across instances and looks again every pollMs", async () => {
    const { time, one, other } = twoInstances({ pollMs: 100 });
    const probe = await one.acquire(KEY, ENDPOINT, never);
    const waiting = track(other.acquire(KEY, ENDPOINT, never));
    await time.advance(100);
    expect(waiting.status).toBe("waiting");
    // The answer comes in the first instance: the second sees it at its next look.
    await probe.settle(200, minutely(60, 59, time.now + 60_000));
    await settle();
    expect(waiting.status).toBe("waiting");
    await time.advance(100);
    expect(waiting.status).toBe("resolved");
  });

  it("counts a call in flight at the new minute against it, and gives the unit back when Exact counted it in the old", async () => {
    const { time, one, other } = twoInstances();
    const reset = time.now + 60_000;
    await (await one.acquire(KEY, ENDPOINT, never)).settle(200, minutely(3, 2, reset));
    const late = await one.acquire(KEY, ENDPOINT, never);
    await time.advance(60_000);
    await other.acquire(KEY, ENDPOINT, never);
    expect(await other.describe(KEY)).toMatchObject({ minutelyRemaining: 1, inFlight: 2 });
    await late.settle(200, minutely(3, 1, reset));
    expect(await other.describe(KEY)).toMatchObject({ minutelyRemaining: 2, inFlight: 1 });
  });

  it("gives up a call whose instance died after the lease, so the unknown budget is not held forever", async () => {
    const { time, one, other } = twoInstances({ pollMs: 1_000, leaseMs: 10_000 });
    await one.acquire(KEY, ENDPOINT, never); // never settled: its instance was killed
    const waiting = track(other.acquire(KEY, ENDPOINT, never));
    await time.advance(9_000);
    expect(waiting.status).toBe("waiting");
    await time.advance(1_000);
    expect(waiting.status).toBe("resolved");
    expect(await other.describe(KEY)).toMatchObject({ inFlight: 1 });
  });

  it("counts error answers of both: the second instance stops at the 8th error of all", async () => {
    const { time, one, other } = twoInstances();
    for (let i = 0; i < 8; i++) {
      const limiter = i % 2 === 0 ? one : other;
      await (await limiter.acquire(KEY, ENDPOINT, never)).settle(400, headers({}));
      await time.advance(1_000);
    }
    await expect(one.acquire(KEY, ENDPOINT, never)).rejects.toMatchObject({ code: "blocked_after_errors" });
    await expect(other.acquire(KEY, ENDPOINT, never)).rejects.toMatchObject({
      code: "blocked_after_errors",
      retryAfterMs: 60 * 60_000 - 8_000,
    });
  });
});
