import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exactOnlineConnector, resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { type FakeExactDivision, type FakeExactOnline, startFakeExactOnline } from "../../../../fakes/exact-online";
import { allowCustomApiHosts, contextFor } from "./helpers";

let fake: FakeExactOnline;

// 130 divisions: three pages of 60; every 10th archived, every 13th inactive.
const DIVISIONS: FakeExactDivision[] = Array.from({ length: 130 }, (_, index) => ({
  Code: 200_000 + index,
  Description: `Klant ${String(index).padStart(3, "0")}`,
  VATNumber: `BE0${String(400_000_000 + index)}`,
  Status: index % 10 === 9 ? 2 : index % 13 === 12 ? 0 : 1,
}));

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  resetExactRateLimits();
  fake = await startFakeExactOnline({ divisions: DIVISIONS, currentDivision: 200_005, divisionsPageSize: 60 });
});
afterEach(async () => {
  await fake.close();
});

describe("Exact Online divisions and check", () => {
  it("lists every page of divisions the user sees, active ones as choices with code and VAT number", async () => {
    const choices = await exactOnlineConnector.listDossierChoices(contextFor(fake, { division: null }));
    const active = DIVISIONS.filter((division) => division.Status === 1);
    expect(choices.division).toHaveLength(active.length);
    expect(choices.division?.[0]).toEqual({
      value: "200000",
      label: "Klant 000",
      detail: "200000",
      vatNumber: "BE0400000000",
    });
    expect(choices.division?.some((choice) => choice.value === String(200_129))).toBe(false);
    expect(fake.counts.byEndpoint).toEqual({ "current/Me": 1, "system/Divisions": 3 });
  });

  it("check is a real call to current/Me", async () => {
    const health = await exactOnlineConnector.check(contextFor(fake, { division: null }));
    expect(health.ok).toBe(true);
    expect(fake.counts.byEndpoint).toEqual({ "current/Me": 1 });
  });

  it("check reports refused credentials as auth", async () => {
    const ctx = contextFor(fake, { division: null });
    fake.expireAccessTokens();
    fake.expireRefreshTokens();
    const health = await exactOnlineConnector.check(ctx);
    expect(health).toMatchObject({ ok: false, error: { kind: "auth", code: "auth_failed" } });
  });

  it("never sends the token to another host a next-page link points at", async () => {
    await fake.close();
    fake = await startFakeExactOnline({ divisions: DIVISIONS, nextLinkOrigin: "http://elsewhere.example" });
    const error = await exactOnlineConnector.listDossierChoices(contextFor(fake, { division: null })).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ kind: "retryable", code: "server_error" });
    expect(fake.counts.byEndpoint["system/Divisions"]).toBe(1);
  });
});
