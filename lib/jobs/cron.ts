import { Cron } from "croner";

/**
 * The cron schedules of the in-process driver (Inngest reads the same expressions itself): croner
 * parses them and computes their times, in UTC as Inngest evaluates them. Five fields: minute hour
 * day-of-month month day-of-week. croner only computes here; the driver keeps its own once-a-minute
 * timer, so no croner job ever runs (a Cron made without a function schedules nothing).
 */

export type CronSchedule = Cron;

/** Parses an expression; throws on anything croner does not understand rather than never firing. */
export function parseCron(expression: string): CronSchedule {
  try {
    return new Cron(expression, { timezone: "UTC", mode: "5-part" });
  } catch (error) {
    throw new Error(`Cron "${expression}": ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** The minutes from `from` to `to` (both included, to the minute) in which the schedule fires. */
export function cronRunsBetween(schedule: CronSchedule, from: Date, to: Date): Date[] {
  const runs: Date[] = [];
  // nextRun answers the first time strictly after its reference: a second before `from`'s minute.
  let next = schedule.nextRun(new Date(Math.floor(from.getTime() / 60_000) * 60_000 - 1_000));
  while (next && next.getTime() <= to.getTime()) {
    runs.push(next);
    next = schedule.nextRun(next);
  }
  return runs;
}
