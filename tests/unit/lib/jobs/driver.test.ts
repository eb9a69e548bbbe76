import { describe, expect, it } from "vitest";
import { assertJobDriverConfig, isInngestDevMode, selectJobDriver } from "@/lib/jobs/driver";

describe("job driver choice", () => {
  it("runs jobs in process when no Inngest server is configured", () => {
    expect(selectJobDriver({})).toBe("local");
  });

  it.each([
    ["an event key", { INNGEST_EVENT_KEY: "evt" }],
    ["dev mode", { INNGEST_DEV: "1" }],
    ["a dev server URL", { INNGEST_DEV: "http://127.0.0.1:8288" }],
    ["a self-hosted server", { INNGEST_BASE_URL: "http://inngest.internal:8288" }],
  ] as const)("uses Inngest with %s", (_label, env) => {
    expect(selectJobDriver(env)).toBe("inngest");
  });

  it("knows dev mode from INNGEST_DEV", () => {
    expect(isInngestDevMode({ INNGEST_DEV: "1" })).toBe(true);
    expect(isInngestDevMode({ INNGEST_DEV: "http://127.0.0.1:8288" })).toBe(true);
    expect(isInngestDevMode({ INNGEST_DEV: "0" })).toBe(false);
    expect(isInngestDevMode({})).toBe(false);
  });

  it("refuses Inngest outside dev mode without both keys", () => {
    expect(() => assertJobDriverConfig({ INNGEST_EVENT_KEY: "evt" })).toThrow(/INNGEST_SIGNING_KEY/);
    expect(() => assertJobDriverConfig({ INNGEST_BASE_URL: "http://inngest.internal:8288" })).toThrow(
      /INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY/,
    );
    expect(() => assertJobDriverConfig({ INNGEST_EVENT_KEY: "evt", INNGEST_SIGNING_KEY: "signkey-1" })).not.toThrow();
    expect(() => assertJobDriverConfig({ INNGEST_DEV: "1" })).not.toThrow();
    expect(() => assertJobDriverConfig({})).not.toThrow();
  });
});
