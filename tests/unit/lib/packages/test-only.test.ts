import { afterEach, describe, expect, it, vi } from "vitest";
import { enableTestOnlyPackages, listPackages } from "@/lib/packages/catalog";

/**
 * Test-only packages (isTestOnly) exist only where a test enabled them: every lookup and listing of
 * the catalog hides them otherwise, and no deployment can enable them.
 */

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("enableTestOnlyPackages", () => {
  it.each(["production", "development"])("is refused when NODE_ENV is %s", (nodeEnv) => {
    vi.stubEnv("NODE_ENV", nodeEnv);
    expect(() => enableTestOnlyPackages()).toThrow(/only under test/);
  });

  it("shows the whole catalog until its undo, then the users' packages again", () => {
    const users = listPackages();
    expect(users.every((entry) => !entry.isTestOnly)).toBe(true);
    const undo = enableTestOnlyPackages();
    const all = listPackages();
    expect(all.filter((entry) => !entry.isTestOnly)).toEqual(users);
    undo();
    expect(listPackages()).toEqual(users);
  });
});
