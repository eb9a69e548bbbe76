import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { runExactBreakerTwoInstances, runExactRateTwoInstances } from "../../../../../scripts/bench/exact-rate-two";
import { createTestDb } from "../../../../helpers/db";

// Exact Online's limits held by two instances (issue 14): two Node processes, each with the Exact
// connector and its rate limiter counting in this PostgreSQL (lib/connections/call-limits.ts),
// deliver to one division of the fake Exact at once (scripts/bench/exact-rate-two.ts, also in
// `npm run bench -- exact-rate`). Time is scaled as in the bench: 60 calls per 6 s window instead
// of per minute. Needs two connections that really overlap, so it runs only with TEST_DATABASE_URL.

const LIMIT = 60;
const WINDOW_MS = 6_000;

let opened: OpenedDb;
let databaseUrl: string;

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  databaseUrl = process.env.TEST_DATABASE_URL as string;
});
afterAll(async () => {
  await opened?.close();
});

describe("Exact Online's rate limit across two instances", () => {
  it("uses at least 95% of the division's limit together and draws no 429", { timeout: 120_000 }, async () => {
    const report = await runExactRateTwoInstances({
      databaseUrl,
      limit: LIMIT,
      windowMs: WINDOW_MS,
      documentsPerInstance: 75,
      concurrency: 4,
    });
    console.info(
      `two instances, limits in PostgreSQL: utilisation ${(report.utilisation * 100).toFixed(1)}%, ` +
        `429s ${report.tooManyRequests}, calls per window ${report.callsPerWindow.join(" ")}`,
    );
    expect(report.instances).toEqual([
      expect.objectContaining({ sent: 75, failures: {} }),
      expect.objectContaining({ sent: 75, failures: {} }),
    ]);
    expect(report.documentsStored).toBe(150);
    expect(report.tooManyRequests).toBe(0);
    expect(report.callsPerWindow.every((calls) => calls <= LIMIT)).toBe(true);
    expect(report.fullWindows).toBeGreaterThanOrEqual(3);
    expect(report.utilisation, `calls per window: ${report.callsPerWindow.join(" ")}`).toBeGreaterThanOrEqual(0.95);
  });

  it("overshoots when each instance counts in its own memory (the control)", { timeout: 120_000 }, async () => {
    const report = await runExactRateTwoInstances({
      databaseUrl,
      limit: LIMIT,
      windowMs: WINDOW_MS,
      documentsPerInstance: 40,
      concurrency: 4,
      isShared: false,
    });
    console.info(
      `two instances, limits per process: 429s ${report.tooManyRequests}, calls per window ${report.callsPerWindow.join(" ")}`,
    );
    expect(report.tooManyRequests).toBeGreaterThan(0);
  });

  it("stops the other instance once one has drawn 8 error answers from an endpoint", { timeout: 60_000 }, async () => {
    const report = await runExactBreakerTwoInstances({ databaseUrl, errors: 8, tries: 2 });
    expect(report.first.sent).toBe(0);
    expect(Object.values(report.first.failures).reduce((sum, count) => sum + count, 0)).toBe(8);
    expect(report.first.failures.blocked_after_errors).toBeUndefined();
    expect(report.second).toMatchObject({ sent: 0, failures: { blocked_after_errors: 2 } });
    expect(report.callsBySecond).toBe(0);
  });
});
