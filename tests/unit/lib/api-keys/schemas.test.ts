import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fieldErrorsOf } from "@/lib/actions/parse";
import { createApiKeySchema, expiresAtOf, expiryDateBounds, scopesUsableBy } from "@/lib/api-keys/schemas";
import { API_SCOPES } from "@/lib/auth/scopes";

// 2026-03-10 22:30 UTC: already the 11th in Brussels, still the 10th in UTC.
const NOW = new Date("2026-03-10T22:30:00.000Z");

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const valid = { name: "Scandienst", role: "admin", scopes: ["documents:read"] };

function errorsOf(input: unknown) {
  const parsed = createApiKeySchema.safeParse(input);
  return parsed.success ? null : fieldErrorsOf(parsed.error);
}

describe("createApiKeySchema", () => {
  it("trims the name, orders the scopes as the catalogue does, and has no expiry unless given", () => {
    expect(
      createApiKeySchema.parse({ ...valid, name: "  Scandienst  ", scopes: ["dossiers:read", "documents:read"] }),
    ).toEqual({ name: "Scandienst", role: "admin", scopes: ["documents:read", "dossiers:read"], expiresAt: null });
    expect(createApiKeySchema.parse({ ...valid, expiresOn: "" }).expiresAt).toBeNull();
    expect(createApiKeySchema.parse({ ...valid, expiresOn: null }).expiresAt).toBeNull();
  });

  it.each([
    ["an empty name", { ...valid, name: "   " }, { name: ["apiKey.nameRequired"] }],
    ["no name", { role: "admin", scopes: ["documents:read"] }, { name: ["apiKey.nameRequired"] }],
    ["a name of 101 characters", { ...valid, name: "x".repeat(101) }, { name: ["apiKey.nameTooLong"] }],
    ["an unknown role", { ...valid, role: "entrepreneur" }, { role: ["apiKey.roleInvalid"] }],
    ["no scopes", { ...valid, scopes: [] }, { scopes: ["apiKey.scopesRequired"] }],
    ["scopes that are no list", { ...valid, scopes: "documents:read" }, { scopes: ["apiKey.scopesRequired"] }],
    [
      "an unknown scope",
      { ...valid, scopes: ["documents:read", "members:manage"] },
      { "scopes.1": ["apiKey.scopeUnknown"] },
    ],
    [
      "a scope twice",
      { ...valid, scopes: ["documents:read", "documents:read"] },
      { scopes: ["apiKey.scopesDuplicate"] },
    ],
    [
      "an accountant key that manages webhooks",
      { ...valid, role: "accountant", scopes: ["documents:read", "webhooks:manage"] },
      { scopes: ["apiKey.scopeNeedsAdmin"] },
    ],
    ["an expiry that is no date", { ...valid, expiresOn: "next week" }, { expiresOn: ["apiKey.expiresOnInvalid"] }],
    ["an impossible date", { ...valid, expiresOn: "2026-02-30" }, { expiresOn: ["apiKey.expiresOnInvalid"] }],
    ["today (UTC) as expiry", { ...valid, expiresOn: "2026-03-10" }, { expiresOn: ["apiKey.expiresOnPast"] }],
    ["an expiry in the past", { ...valid, expiresOn: "2025-12-31" }, { expiresOn: ["apiKey.expiresOnPast"] }],
    ["an expiry past two years", { ...valid, expiresOn: "2028-03-11" }, { expiresOn: ["apiKey.expiresOnTooFar"] }],
  ])("refuses %s", (_case, input, expected) => {
    expect(errorsOf(input)).toEqual(expected);
  });

  it("reports every wrong field at once", () => {
    expect(errorsOf({ name: "", role: "boss", scopes: [], expiresOn: "2020-01-01" })).toEqual({
      name: ["apiKey.nameRequired"],
      role: ["apiKey.roleInvalid"],
      scopes: ["apiKey.scopesRequired"],
      expiresOn: ["apiKey.expiresOnPast"],
    });
  });

  it("checks the role's scopes beside the other fields' problems", () => {
    expect(errorsOf({ name: "", role: "accountant", scopes: ["webhooks:manage"], expiresOn: "2026-03-10" })).toEqual({
      name: ["apiKey.nameRequired"],
      scopes: ["apiKey.scopeNeedsAdmin"],
      expiresOn: ["apiKey.expiresOnPast"],
    });
  });

  it("takes an expiry from tomorrow (UTC) to the same day two years on, ending with that day in UTC", () => {
    expect(expiryDateBounds()).toEqual({ min: "2026-03-11", max: "2028-03-10" });
    expect(createApiKeySchema.parse({ ...valid, expiresOn: "2026-03-11" }).expiresAt).toEqual(
      new Date("2026-03-12T00:00:00.000Z"),
    );
    expect(createApiKeySchema.parse({ ...valid, expiresOn: "2028-03-10" }).expiresAt).toEqual(
      new Date("2028-03-11T00:00:00.000Z"),
    );
  });

  it("moves its bounds with the clock", () => {
    vi.setSystemTime(new Date("2026-03-11T00:00:00.000Z"));
    expect(errorsOf({ ...valid, expiresOn: "2026-03-11" })).toEqual({ expiresOn: ["apiKey.expiresOnPast"] });
    expect(createApiKeySchema.safeParse({ ...valid, expiresOn: "2028-03-11" }).success).toBe(true);
  });
});

describe("expiresAtOf", () => {
  it("is the first instant after the day in UTC, across month and year ends", () => {
    expect(expiresAtOf("2026-01-31")).toEqual(new Date("2026-02-01T00:00:00.000Z"));
    expect(expiresAtOf("2026-12-31")).toEqual(new Date("2027-01-01T00:00:00.000Z"));
    expect(expiresAtOf("2028-02-28")).toEqual(new Date("2028-02-29T00:00:00.000Z"));
  });
});

describe("scopesUsableBy", () => {
  it("gives admin keys every scope and accountant keys all but webhooks:manage", () => {
    expect(scopesUsableBy("admin")).toEqual([...API_SCOPES]);
    expect(scopesUsableBy("accountant")).toEqual(API_SCOPES.filter((scope) => scope !== "webhooks:manage"));
  });
});
