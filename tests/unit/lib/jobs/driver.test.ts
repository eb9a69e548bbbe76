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

  it("follows JOB_DRIVER when set, whatever else is configured", () => {
    expect(selectJobDriver({ JOB_DRIVER: "postgres", INNGEST_DEV: "1" })).toBe("postgres");
    expect(selectJobDriver({ JOB_DRIVER: "local", INNGEST_EVENT_KEY: "evt" })).toBe("local");
    expect(selectJobDriver({ JOB_DRIVER: "inngest", INNGEST_DEV: "1" })).toBe("inngest");
  });

  it("refuses the PostgreSQL driver without a PostgreSQL server", () => {
    expect(() => assertJobDriverConfig({ JOB_DRIVER: "postgres" })).toThrow(/DATABASE_URL must point to one/);
    expect(() =>
      assertJobDriverConfig({ JOB_DRIVER: "postgres", DATABASE_URL: "postgres://app@db.internal:5432/koppel" }),
    ).not.toThrow();
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
