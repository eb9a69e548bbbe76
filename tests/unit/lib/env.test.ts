import { afterEach, describe, expect, it } from "vitest";
import { isDemoEnabled, resetEnvCache } from "@/lib/env";

const saved = { NODE_ENV: process.env.NODE_ENV, KOPPEL_DEMO: process.env.KOPPEL_DEMO };

function withEnv(values: { NODE_ENV?: string; KOPPEL_DEMO?: string }) {
  const env = process.env as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  resetEnvCache();
}

afterEach(() => withEnv(saved));

describe("demo sign-in", () => {
  it("is on in development", () => {
    withEnv({ NODE_ENV: "development", KOPPEL_DEMO: undefined });
    expect(isDemoEnabled()).toBe(true);
  });

  it("is off in a production build", () => {
    withEnv({ NODE_ENV: "production", KOPPEL_DEMO: undefined });
    expect(isDemoEnabled()).toBe(false);
  });

  it("is on in a production build only with the explicit flag", () => {
    withEnv({ NODE_ENV: "production", KOPPEL_DEMO: "1" });
    expect(isDemoEnabled()).toBe(true);
  });

  it("can be switched off in development", () => {
    withEnv({ NODE_ENV: "development", KOPPEL_DEMO: "0" });
    expect(isDemoEnabled()).toBe(false);
  });

  it("refuses a flag value it does not know", () => {
    withEnv({ NODE_ENV: "production", KOPPEL_DEMO: "yes" });
    expect(() => isDemoEnabled()).toThrow(/KOPPEL_DEMO/);
  });
});
