import { describe, expect, it } from "vitest";
import { cronMatches, parseCron } from "@/lib/jobs/cron";

const at = (iso: string) => new Date(iso);

describe("cron matcher", () => {
  it("matches every minute with five stars", () => {
    expect(cronMatches("* * * * *", at("2025-03-04T05:06:59Z"))).toBe(true);
  });

  it("matches */15 on the quarter hours only", () => {
    const schedule = parseCron("*/15 * * * *");
    expect(
      [0, 15, 30, 45].map((m) => cronMatches(schedule, at(`2025-03-04T10:${String(m).padStart(2, "0")}:00Z`))),
    ).toEqual([true, true, true, true]);
    expect(cronMatches(schedule, at("2025-03-04T10:16:00Z"))).toBe(false);
    expect(cronMatches(schedule, at("2025-03-04T10:59:00Z"))).toBe(false);
  });

  it("matches plain numbers in UTC", () => {
    expect(cronMatches("30 2 * * *", at("2025-03-04T02:30:00Z"))).toBe(true);
    expect(cronMatches("30 2 * * *", at("2025-03-04T03:30:00Z"))).toBe(false);
  });

  it("matches lists and ranges", () => {
    const schedule = parseCron("0,30 9-17 * * 1-5");
    expect(cronMatches(schedule, at("2025-03-04T09:30:00Z"))).toBe(true); // Tuesday
    expect(cronMatches(schedule, at("2025-03-04T17:00:00Z"))).toBe(true);
    expect(cronMatches(schedule, at("2025-03-04T18:00:00Z"))).toBe(false);
    expect(cronMatches(schedule, at("2025-03-04T09:15:00Z"))).toBe(false);
    expect(cronMatches(schedule, at("2025-03-08T09:30:00Z"))).toBe(false); // Saturday
  });

  it("steps through a range and from a start value", () => {
    expect([...parseCron("10-30/10 * * * *").minutes]).toEqual([10, 20, 30]);
    expect([...parseCron("5/20 * * * *").minutes]).toEqual([5, 25, 45]);
  });

  it("treats day of week 0 and 7 both as Sunday", () => {
    expect(cronMatches("0 12 * * 0", at("2025-03-09T12:00:00Z"))).toBe(true);
    expect(cronMatches("0 12 * * 7", at("2025-03-09T12:00:00Z"))).toBe(true);
    expect(cronMatches("0 12 * * 7", at("2025-03-10T12:00:00Z"))).toBe(false);
  });

  it("matches months and days of the month", () => {
    expect(cronMatches("0 0 1 1 *", at("2025-01-01T00:00:00Z"))).toBe(true);
    expect(cronMatches("0 0 1 1 *", at("2025-02-01T00:00:00Z"))).toBe(false);
  });

  it("fires on either day when both day of month and day of week are restricted", () => {
    const schedule = parseCron("0 8 1 * 1");
    expect(cronMatches(schedule, at("2025-03-01T08:00:00Z"))).toBe(true); // the 1st, a Saturday
    expect(cronMatches(schedule, at("2025-03-03T08:00:00Z"))).toBe(true); // a Monday
    expect(cronMatches(schedule, at("2025-03-04T08:00:00Z"))).toBe(false);
  });

  it("needs both days when only one of them is restricted by a step", () => {
    const schedule = parseCron("0 8 */2 * 1");
    expect(cronMatches(schedule, at("2025-03-03T08:00:00Z"))).toBe(true); // Monday the 3rd
    expect(cronMatches(schedule, at("2025-03-10T08:00:00Z"))).toBe(false); // Monday the 10th
  });

  it.each([
    ["four fields", "* * * *"],
    ["six fields", "* * * * * *"],
    ["a minute out of range", "60 * * * *"],
    ["an hour out of range", "0 24 * * *"],
    ["day of month zero", "0 0 0 * *"],
    ["a backwards range", "0 5-1 * * *"],
    ["a zero step", "*/0 * * * *"],
    ["a name", "0 0 * * MON"],
    ["an empty list item", "1,,2 * * * *"],
  ])("refuses %s", (_label, expression) => {
    expect(() => parseCron(expression)).toThrow(/Cron/);
  });
});
