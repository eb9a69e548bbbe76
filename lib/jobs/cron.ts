/**
 * A small 5-field cron matcher for the in-process driver (Inngest reads the same expressions
 * itself). Fields: minute hour day-of-month month day-of-week, in UTC, as Inngest evaluates them.
 * Each field takes `*`, a number, a range `a-b`, a step `*\/n` or `a-b/n`, or a comma list of
 * those. Day of week is 0–7 with both 0 and 7 meaning Sunday. As in classic cron, when both
 * day-of-month and day-of-week are restricted, a day matches if either does.
 */

export type CronSchedule = {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  isDayOfMonthRestricted: boolean;
  isDayOfWeekRestricted: boolean;
};

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

/** Parses an expression; throws on anything it does not understand rather than never firing. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`Cron "${expression}" must have 5 fields, found ${parts.length}`);
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = parts.map((part, i) =>
    parseField(part, FIELDS[i] as (typeof FIELDS)[number], expression),
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

function parseField(field: string, spec: (typeof FIELDS)[number], expression: string): Set<number> {
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
export function cronMatches(schedule: CronSchedule | string, date: Date): boolean {
  const s = typeof schedule === "string" ? parseCron(schedule) : schedule;
  if (!s.minutes.has(date.getUTCMinutes()) || !s.hours.has(date.getUTCHours())) return false;
  if (!s.months.has(date.getUTCMonth() + 1)) return false;
  const isDayOfMonth = s.daysOfMonth.has(date.getUTCDate());
  const isDayOfWeek = s.daysOfWeek.has(date.getUTCDay());
  if (s.isDayOfMonthRestricted && s.isDayOfWeekRestricted) return isDayOfMonth || isDayOfWeek;
  return isDayOfMonth && isDayOfWeek;
}
