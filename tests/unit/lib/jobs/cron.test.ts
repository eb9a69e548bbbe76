import { describe, expect, it } from "vitest";
import { cronRunsBetween, parseCron } from "@/lib/jobs/cron";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { isCronJob } from "@/lib/jobs/types";

const at = (iso: string) => new Date(iso);

/** Whether the schedule fires in the minute that contains `date` (UTC). */
function firesAt(expression: string, date: Date): boolean {
  return cronRunsBetween(parseCron(expression), date, date).length === 1;
}

describe("cron schedules (croner, UTC)", () => {
  it("fire every minute with five stars", () => {
    expect(firesAt("* * * * *", at("2025-03-04T05:06:59Z"))).toBe(true);
  });

  it("fire */15 on the quarter hours only", () => {
    expect(
      [0, 15, 30, 45].map((m) => firesAt("*/15 * * * *", at(`2025-03-04T10:${String(m).padStart(2, "0")}:00Z`))),
    ).toEqual([true, true, true, true]);
    expect(firesAt("*/15 * * * *", at("2025-03-04T10:16:00Z"))).toBe(false);
    expect(firesAt("*/15 * * * *", at("2025-03-04T10:59:00Z"))).toBe(false);
  });

  it("read plain numbers in UTC", () => {
    expect(firesAt("30 2 * * *", at("2025-03-04T02:30:00Z"))).toBe(true);
    expect(firesAt("30 2 * * *", at("2025-03-04T03:30:00Z"))).toBe(false);
  });

  it("read lists and ranges", () => {
    const schedule = "0,30 9-17 * * 1-5";
    expect(firesAt(schedule, at("2025-03-04T09:30:00Z"))).toBe(true); // Tuesday
    expect(firesAt(schedule, at("2025-03-04T17:00:00Z"))).toBe(true);
    expect(firesAt(schedule, at("2025-03-04T18:00:00Z"))).toBe(false);
    expect(firesAt(schedule, at("2025-03-04T09:15:00Z"))).toBe(false);
    expect(firesAt(schedule, at("2025-03-08T09:30:00Z"))).toBe(false); // Saturday
  });

  it("step through a range", () => {
    const hour = cronRunsBetween(parseCron("10-30/10 * * * *"), at("2025-03-04T10:00:00Z"), at("2025-03-04T10:59:00Z"));
    expect(hour.map((d) => d.getUTCMinutes())).toEqual([10, 20, 30]);
    const fromFive = cronRunsBetween(
      parseCron("5-59/20 * * * *"),
      at("2025-03-04T10:00:00Z"),
      at("2025-03-04T10:59:00Z"),
    );
    expect(fromFive.map((d) => d.getUTCMinutes())).toEqual([5, 25, 45]);
  });

  it("treat day of week 0 and 7 both as Sunday", () => {
    expect(firesAt("0 12 * * 0", at("2025-03-09T12:00:00Z"))).toBe(true);
    expect(firesAt("0 12 * * 7", at("2025-03-09T12:00:00Z"))).toBe(true);
    expect(firesAt("0 12 * * 7", at("2025-03-10T12:00:00Z"))).toBe(false);
  });

  it("read months and days of the month", () => {
    expect(firesAt("0 0 1 1 *", at("2025-01-01T00:00:00Z"))).toBe(true);
    expect(firesAt("0 0 1 1 *", at("2025-02-01T00:00:00Z"))).toBe(false);
  });

  it("fire on either day when both day of month and day of week are restricted", () => {
    expect(firesAt("0 8 1 * 1", at("2025-03-01T08:00:00Z"))).toBe(true); // the 1st, a Saturday
    expect(firesAt("0 8 1 * 1", at("2025-03-03T08:00:00Z"))).toBe(true); // a Monday
    expect(firesAt("0 8 1 * 1", at("2025-03-04T08:00:00Z"))).toBe(false);
  });

  // Changed with croner (no job of ours uses it): a stepped day of month restricts the day, so
  // either day fires. The old matcher, as Vixie cron, needed both days.
  it("count a stepped day of month as restricted: either day fires", () => {
    expect(firesAt("0 8 */2 * 1", at("2025-03-03T08:00:00Z"))).toBe(true); // Monday the 3rd
    expect(firesAt("0 8 */2 * 1", at("2025-03-10T08:00:00Z"))).toBe(true); // Monday the 10th
    expect(firesAt("0 8 */2 * 1", at("2025-03-05T08:00:00Z"))).toBe(true); // Wednesday the 5th
    expect(firesAt("0 8 */2 * 1", at("2025-03-04T08:00:00Z"))).toBe(false); // Tuesday the 4th
  });

  // Changed with croner (no job of ours uses it): day and month names are read; the old matcher
  // refused them.
  it("read day names", () => {
    expect(firesAt("0 0 * * MON", at("2025-03-03T00:00:00Z"))).toBe(true);
    expect(firesAt("0 0 * * MON", at("2025-03-04T00:00:00Z"))).toBe(false);
  });

  it.each([
    ["four fields", "* * * *"],
    ["six fields", "* * * * * *"],
    ["a minute out of range", "60 * * * *"],
    ["an hour out of range", "0 24 * * *"],
    ["day of month zero", "0 0 0 * *"],
    ["a backwards range", "0 5-1 * * *"],
    ["a zero step", "*/0 * * * *"],
    ["an empty list item", "1,,2 * * * *"],
    // Changed with croner (no job of ours uses it): the old matcher read "5/20" as 5-59/20.
    ["a step from a start value without a range", "5/20 * * * *"],
  ])("refuse %s, naming the expression", (_label, expression) => {
    expect(() => parseCron(expression)).toThrow(`Cron "${expression}"`);
  });

  it("list the runs between two minutes, both included, the seconds of the bounds ignored", () => {
    const runs = cronRunsBetween(parseCron("*/15 * * * *"), at("2025-03-04T10:15:59Z"), at("2025-03-04T10:45:00Z"));
    expect(runs.map((d) => d.toISOString())).toEqual([
      "2025-03-04T10:15:00.000Z",
      "2025-03-04T10:30:00.000Z",
      "2025-03-04T10:45:00.000Z",
    ]);
    expect(cronRunsBetween(parseCron("*/15 * * * *"), at("2025-03-04T10:16:00Z"), at("2025-03-04T10:29:59Z"))).toEqual(
      [],
    );
  });
});

/**
 * The hand-written matcher croner replaced (lib/jobs/cron.ts until issue 17), kept as the
 * reference the schedules of our jobs are checked against.
 */
type LegacyCronSchedule = {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  isDayOfMonthRestricted: boolean;
  isDayOfWeekRestricted: boolean;
};

const LEGACY_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

function legacyParseCron(expression: string): LegacyCronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`Cron "${expression}" must have 5 fields, found ${parts.length}`);
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = parts.map((part, i) =>
    legacyParseField(part, LEGACY_FIELDS[i] as (typeof LEGACY_FIELDS)[number], expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const daysOfWeek = new Set([...rawDaysOfWeek].map((d) => (d === 7 ? 0 : d)));
  return {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    // As in Vixie cron, a field that starts with "*" (also "*/2") does not restrict the day.
    isDayOfMonthRestricted: !parts[2]?.startsWith("*"),
    isDayOfWeekRestricted: !parts[4]?.startsWith("*"),
  };
}

function legacyParseField(field: string, spec: (typeof LEGACY_FIELDS)[number], expression: string): Set<number> {
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new Error(`Cron "${expression}": ${spec.name} "${field}" ${why}`);
  };
  for (const item of field.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) fail("is not a number, range, list or step");
    const [, whole, from, to, stepText] = match as RegExpExecArray;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail("has a step below 1");
    let start: number = spec.min;
    let end: number = spec.max;
    if (whole !== "*") {
      start = Number(from);
      // "5/15" means from 5 to the end in steps of 15, as in Vixie cron.
      end = to !== undefined ? Number(to) : stepText !== undefined ? spec.max : start;
    }
    if (start < spec.min || end > spec.max) fail(`is outside ${spec.min}-${spec.max}`);
    if (start > end) fail("is a backwards range");
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

/** Whether the schedule fires in the minute that contains `date` (UTC). */
function legacyCronMatches(s: LegacyCronSchedule, date: Date): boolean {
  if (!s.minutes.has(date.getUTCMinutes()) || !s.hours.has(date.getUTCHours())) return false;
  if (!s.months.has(date.getUTCMonth() + 1)) return false;
  const isDayOfMonth = s.daysOfMonth.has(date.getUTCDate());
  const isDayOfWeek = s.daysOfWeek.has(date.getUTCDay());
  if (s.isDayOfMonthRestricted && s.isDayOfWeekRestricted) return isDayOfMonth || isDayOfWeek;
  return isDayOfMonth && isDayOfWeek;
}

describe("croner and the old matcher on our jobs' schedules", () => {
  const MINUTE_MS = 60_000;
  const YEAR_START = Date.UTC(2025, 0, 1);
  const MINUTES_IN_YEAR = 365 * 24 * 60;
  const schedules = [
    ...new Set(JOB_DEFINITIONS.flatMap((definition) => (isCronJob(definition) ? [definition.trigger.cron] : []))),
  ];

  it("covers every schedule a job uses", () => {
    expect(schedules.sort()).toEqual([
      "* * * * *",
      "*/15 * * * *",
      "*/30 * * * *",
      "17 3 * * *",
      "23 6 * * *",
      "37 * * * *",
      "41 3 * * *",
    ]);
  });

  // croner's runs, stepped from one to the next over the year, against the old matcher asked
  // about each of the 525,600 minutes: the same minutes, none more, none fewer.
  // croner with timezone "UTC" takes a few seconds a year; generous room for a busy machine.
  it.each(schedules)("agree on every minute of 2025 for %s", { timeout: 120_000 }, (expression) => {
    const legacy = legacyParseCron(expression);
    const legacyRuns: number[] = [];
    for (let minute = 0; minute < MINUTES_IN_YEAR; minute++) {
      const time = YEAR_START + minute * MINUTE_MS;
      if (legacyCronMatches(legacy, new Date(time))) legacyRuns.push(time);
    }
    const cronerRuns = cronRunsBetween(
      parseCron(expression),
      new Date(YEAR_START),
      new Date(YEAR_START + (MINUTES_IN_YEAR - 1) * MINUTE_MS),
    ).map((run) => run.getTime());

    expect(legacyRuns.length).toBeGreaterThan(0);
    expect(cronerRuns).toEqual(legacyRuns);
  });
});
