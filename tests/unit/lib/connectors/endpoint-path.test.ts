import { describe, expect, it } from "vitest";
import { endpointPathProblem, endpointUrl } from "@/lib/connectors/api/endpoint-path";

describe("endpoint paths adjustable per connection", () => {
  it("fill placeholders URL-encoded below the base URL", () => {
    expect(endpointUrl("https://api.example/base/", "dms/{id}/docs", { id: "a b/c" })).toBe(
      "https://api.example/base/dms/a%20b%2Fc/docs",
    );
    // URL parsers read an encoded ".." as a step up: such a value is refused.
    expect(() => endpointUrl("https://api.example/base", "x/{id}", { id: ".." })).toThrow(/invalid_settings/);
    expect(() => endpointUrl("https://api.example/base", "x/{id}", { id: "" })).toThrow(/invalid_settings/);
  });

  it("refuse hosts, schemes, dot segments, queries and unknown placeholders", () => {
    expect(endpointPathProblem("a/b", [])).toBeNull();
    expect(endpointPathProblem("http://x/a", [])).not.toBeNull();
    expect(endpointPathProblem("javascript:alert(1)", [])).not.toBeNull();
    expect(endpointPathProblem("a/../b", [])).not.toBeNull();
    expect(endpointPathProblem("a/b?c=d", [])).not.toBeNull();
    expect(endpointPathProblem("a/{other}", ["id"])).not.toBeNull();
    expect(() => endpointUrl("https://api.example", "//evil.example/x")).toThrow(/invalid_settings/);
  });
});
