import { describe, expect, it } from "vitest";
import { summarizeTarget } from "@/lib/failures/target";

describe("summarizeTarget", () => {
  it("names the package and puts connection, address, folder and administration first", () => {
    expect(
      summarizeTarget({
        channel: "api",
        packageId: "exact-online",
        connectionId: "7b2c0d1e-0000-4000-8000-000000000000",
        connection: "Exact Online België",
        category: "purchase",
        remoteName: "x.pdf",
        division: 12345,
      }),
    ).toEqual({
      channel: "api",
      packageName: "Exact Online",
      details: [
        { key: "connection", value: "Exact Online België" },
        { key: "division", value: "12345" },
        { key: "remoteName", value: "x.pdf" },
      ],
    });
  });

  it("never passes on a value under a secret-looking key, nor objects", () => {
    const summary = summarizeTarget({
      channel: "ftp",
      to: "boekhouding@example.be",
      password: "hunter2",
      apiKey: "k",
      accessToken: "t",
      clientSecret: "s",
      nested: { password: "x" },
    });
    expect(summary.details).toEqual([{ key: "to", value: "boekhouding@example.be" }]);
    expect(JSON.stringify(summary)).not.toMatch(/hunter2|"k"|"t"|"s"/);
  });

  it("copes with no target at all and with free mail (no package)", () => {
    expect(summarizeTarget(null)).toEqual({ channel: null, packageName: null, details: [] });
    expect(summarizeTarget({ channel: "email", packageId: null, to: "a@b.be" }).packageName).toBeNull();
  });
});
