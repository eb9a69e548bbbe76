import { afterEach, describe, expect, it } from "vitest";
import { isOutboxOpenToAnyone, outboxAccessFor } from "@/lib/email/outbox";
import { resetEnvCache } from "@/lib/env";

const KEYS = ["NODE_ENV", "KOPPEL_DEMO", "RESEND_API_KEY", "DATABASE_URL"] as const;
type Switches = Partial<Record<(typeof KEYS)[number], string>>;
const saved: Switches = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));

function withEnv(values: Switches): void {
  const target = process.env as Record<string, string | undefined>;
  for (const key of KEYS) {
    const value = values[key];
    if (value === undefined) delete target[key];
    else target[key] = value;
  }
  resetEnvCache();
}

afterEach(() => withEnv(saved));

describe("the sign-in outbox under next dev", () => {
  it.each([
    ["no switches", {}],
    ["KOPPEL_DEMO=0", { KOPPEL_DEMO: "0" }],
    ["KOPPEL_DEMO=1", { KOPPEL_DEMO: "1" }],
    ["an own Postgres database", { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/koppel" }],
    ["KOPPEL_DEMO=0 and an own database", { KOPPEL_DEMO: "0", DATABASE_URL: "postgres://u@db.internal/k" }],
  ])("is linked and open without Resend whatever the switches: %s", (_label, switches: Switches) => {
    withEnv({ NODE_ENV: "development", ...switches });
    expect(isOutboxOpenToAnyone()).toBe(true);
    expect(outboxAccessFor(null)).toEqual({ scope: "all" });
  });

  it("is not linked when mail really goes out through Resend", () => {
    withEnv({ NODE_ENV: "development", RESEND_API_KEY: "re_live" });
    expect(isOutboxOpenToAnyone()).toBe(false);
    expect(outboxAccessFor(null)).toBeNull();
  });

  it("is never the development outbox in a production build, demo mode or not", () => {
    withEnv({ NODE_ENV: "production" });
    expect(isOutboxOpenToAnyone()).toBe(false);
    expect(outboxAccessFor(null)).toBeNull();
    withEnv({ NODE_ENV: "production", KOPPEL_DEMO: "1" });
    expect(isOutboxOpenToAnyone()).toBe(false);
    expect(outboxAccessFor(null)).toBeNull();
  });
});
