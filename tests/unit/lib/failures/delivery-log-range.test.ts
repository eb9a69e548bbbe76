import { describe, expect, it } from "vitest";
import { DELIVERY_LOG_MAX_DAYS, parseDeliveryLogRange } from "@/lib/failures/delivery-log";

describe("parseDeliveryLogRange", () => {
  it("takes both days whole, as UTC days: [from 00:00, the day after to 00:00)", () => {
    expect(parseDeliveryLogRange("2026-03-01", "2026-03-31")).toEqual({
      ok: true,
      range: {
        from: "2026-03-01",
        to: "2026-03-31",
        start: new Date("2026-03-01T00:00:00.000Z"),
        end: new Date("2026-04-01T00:00:00.000Z"),
      },
    });
    expect(parseDeliveryLogRange("2026-03-01", "2026-03-01")).toMatchObject({ ok: true });
  });

  it.each([
    [null, "2026-01-01", "missing"],
    ["2026-01-01", "", "missing"],
    ["2026-02-30", "2026-03-01", "invalid_date"],
    ["2026-1-01", "2026-03-01", "invalid_date"],
    ["2026-01-01", "01/03/2026", "invalid_date"],
    ["2026-01-01T00:00", "2026-03-01", "invalid_date"],
    ["2026-03-02", "2026-03-01", "reversed"],
    ["2025-01-01", "2026-01-02", "too_long"],
  ])("refuses from=%s to=%s as %s", (from, to, error) => {
    expect(parseDeliveryLogRange(from, to)).toEqual({ ok: false, error });
  });

  it(`allows a whole leap year (${DELIVERY_LOG_MAX_DAYS} days) and not a day more`, () => {
    expect(parseDeliveryLogRange("2024-01-01", "2024-12-31")).toMatchObject({ ok: true });
    expect(parseDeliveryLogRange("2024-01-01", "2025-01-01")).toEqual({ ok: false, error: "too_long" });
  });
});
