import { describe, expect, it } from "vitest";
import { config } from "zod";

describe("instrumentation-client (the browser's zod without eval)", () => {
  it("sets jitless on the configuration zod reads, without importing zod", async () => {
    expect(config().jitless).not.toBe(true);
    await import("@/instrumentation-client");
    // The object on globalThis is the one zod reads: a zod that stopped sharing it fails here.
    expect(config()).toBe((globalThis as { __zod_globalConfig?: object }).__zod_globalConfig);
    expect(config().jitless).toBe(true);
  });
});
