import { type CronSchedule, cronRunsBetween, parseCron } from "./cron";
import { decideRetry } from "./retry";
import {
  createJobStep,
  describeJobError as describeError,
  parseJobPayload as parsePayload,
  SleepSignal,
} from "./steps";
import {
  type AnyJobDefinition,
  isCronJob,
  type JobEventMessage,
  type JobHandler,
  type JobHandlerLoader,
  type JobLogger,
  type JobStep,
  jobEventName,
  lazyJobHandler,
  periodToMs,
} from "./types";

/**
 * The in-process job driver: the embedded default when no Inngest server is configured. It runs
 * the same definitions as the Inngest adapter, in this process and asynchronously, with the same
 * rules: `retries` with exponential backoff and jitter (a RetryAfterJobError waits as long as it
 * asks, a NonRetriableJobError is not retried), steps that succeeded are not re-run on a retry,
 * `concurrency` per key (runs beyond the limit wait their turn), `throttle` per key, and cron
 * definitions checked once a minute. A job's handler is imported on the job's first run.
 *
 * `step.sleepUntil` ends the attempt and schedules the run again at that time (its slot is free
 * meanwhile; the replay passes the completed steps, the sleep included).
 * Runs live in memory only: a run that is waiting, sleeping or backing off when the process stops is lost.
 * Work that must survive that keeps its own state in the database and is picked up again on start
 * (unfinished dispatches are). With several app instances and no Inngest, every instance runs the
 * crons; configure Inngest for scale-out.
 */

export type LocalJobDriverOptions = {
  definitions: readonly AnyJobDefinition[];
  /** Each definition's handler by job id (lib/jobs/handler-registry.ts); tests give their own. */
  handlers: Readonly<Record<string, JobHandlerLoader>>;
  logger?: JobLogger;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: () => number;
};

type Run = {
  id: number;
  definition: AnyJobDefinition;
  payload: Record<string, unknown>;
  attempt: number;
  /** JSON of the steps that completed, by step key: a retry returns these instead of re-running. */
  completedSteps: Map<string, string>;
  /** Set when the definition limits concurrency: the slot this run occupies while it executes. */
  concurrencyKey?: string;
};

const MINUTE_MS = 60_000;

/**
 * How often throttle windows that ran out are forgotten. Keys are often one-offs (an unthrottled
 * delivery's key is its own dispatch id), so without this the map would grow with every run.
 */
const THROTTLE_PRUNE_INTERVAL_MS = MINUTE_MS;
/** A late cron tick catches up on the minutes it missed, but never on more than an hour. */
const MAX_CRON_CATCH_UP_MINUTES = 60;

const consoleLogger: JobLogger = {
  info: (message, meta) => console.info(`[jobs] ${message}`, ...(meta ? [meta] : [])),
  warn: (message, meta) => console.warn(`[jobs] ${message}`, ...(meta ? [meta] : [])),
  error: (message, meta) => console.error(`[jobs] ${message}`, ...(meta ? [meta] : [])),
};

export class LocalJobDriver {
  private readonly logger: JobLogger;
  private readonly random: () => number;
  private readonly listeners = new Map<string, AnyJobDefinition[]>();
  private readonly crons: { definition: AnyJobDefinition; schedule: CronSchedule }[] = [];
  /** Each job's handler by job id, imported on its first run. */
  private readonly handlers = new Map<string, () => Promise<JobHandler>>();
  /** Runs waiting for their first attempt or a retry, by timer. */
  private readonly scheduled = new Map<ReturnType<typeof setTimeout>, Run>();
  /** Runs ready to execute but held back by their concurrency limit, by concurrency key. */
  private readonly queued = new Map<string, Run[]>();
  /** Executing runs per concurrency key. */
  private readonly executing = new Map<string, number>();
  /** Reserved start times per throttle key, with the key's period. */
  private readonly throttleWindows = new Map<string, { starts: number[]; periodMs: number }>();
  private nextThrottlePruneAt = 0;
  private activeRuns = 0;
  private idleWaiters: (() => void)[] = [];
  private cronTimer: ReturnType<typeof setTimeout> | undefined;
  private lastCronMinute: number | undefined;
  private nextRunId = 1;
  private isStopped = false;

  constructor(options: LocalJobDriverOptions) {
    this.logger = options.logger ?? consoleLogger;
    this.random = options.random ?? Math.random;
    for (const definition of options.definitions) {
      const load = options.handlers[definition.id];
      // Found now rather than on the first run, which may be days away (a cron) or never come.
      if (!load) throw new Error(`No handler for job ${definition.id}`);
      this.handlers.set(definition.id, lazyJobHandler(definition, load));
      if (isCronJob(definition)) {
        this.crons.push({ definition, schedule: parseCron(definition.trigger.cron) });
        continue;
      }
      const name = jobEventName(definition) as string;
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), definition]);
    }
  }

  /**
   * Starts one run per definition listening to the event. Validates the payload against every
   * listener first (throws before starting anything), then returns; the runs happen later.
   */
  enqueue(eventName: string, payload: unknown): number {
    const runs = this.prepareEvent({ name: eventName, payload: payload as Record<string, unknown> });
    for (const [definition, parsed] of runs) this.startRun(definition, parsed);
    return runs.length;
  }

  /** Starts checking cron definitions once a minute, on the minute. Idempotent. */
  start(): void {
    this.assertRunning();
    if (this.cronTimer || this.crons.length === 0) return;
    this.lastCronMinute ??= Math.floor(Date.now() / MINUTE_MS);
    this.scheduleCronTick();
  }

  /**
   * Starts the cron definitions due in the minute of `now`, and those of minutes missed since the
   * previous tick (a timer may fire late). A minute is never fired twice.
   */
  tick(now: Date = new Date()): void {
    if (this.isStopped) return;
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const first =
      this.lastCronMinute === undefined
        ? minute
        : Math.max(this.lastCronMinute + 1, minute - MAX_CRON_CATCH_UP_MINUTES + 1);
    if (first <= minute) {
      const from = new Date(first * MINUTE_MS);
      const to = new Date(minute * MINUTE_MS);
      const due = this.crons.flatMap(({ definition, schedule }) =>
        cronRunsBetween(schedule, from, to).map((at) => ({ at: at.getTime(), definition })),
      );
      // Minute by minute, and within a minute in the order of the definitions (a stable sort).
      due.sort((a, b) => a.at - b.at);
      for (const { definition } of due) this.startRun(definition, parsePayload(definition, {}));
    }
    this.lastCronMinute = Math.max(this.lastCronMinute ?? minute, minute);
  }

  /** Resolves when no run is scheduled, queued or executing. */
  idle(): Promise<void> {
    if (this.activeRuns === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops the cron timer, drops runs that have not started (or wait for a retry), lets executing
   * attempts finish without retrying them, and resolves once nothing is left running.
   */
  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.cronTimer) clearTimeout(this.cronTimer);
    this.cronTimer = undefined;
    for (const [timer, run] of this.scheduled) {
      clearTimeout(timer);
      this.drop(run);
    }
    this.scheduled.clear();
    for (const runs of this.queued.values()) for (const run of runs) this.drop(run);
    this.queued.clear();
    await this.idle();
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  private assertRunning(): void {
    if (this.isStopped) throw new Error("The in-process job driver is stopped");
  }

  private prepareEvent(event: JobEventMessage): [AnyJobDefinition, Record<string, unknown>][] {
    this.assertRunning();
    const definitions = this.listeners.get(event.name);
    if (!definitions?.length) throw new Error(`No job listens to the event "${event.name}"`);
    return definitions.map((definition) => [definition, parsePayload(definition, event.payload)]);
  }

  private startRun(definition: AnyJobDefinition, payload: Record<string, unknown>): void {
    const run: Run = { id: this.nextRunId++, definition, payload, attempt: 0, completedSteps: new Map() };
    if (definition.concurrency) {
      run.concurrencyKey = `${definition.id}\u0000${String(payload[definition.concurrency.key])}`;
    }
    this.activeRuns++;
    this.schedule(run, this.reserveThrottleSlot(run));
  }

  /** Throttle keys whose window is still remembered (tests and diagnostics). */
  get throttleKeyCount(): number {
    return this.throttleWindows.size;
  }

  /** Delay before a new run may start under its throttle, reserving that start time. */
  private reserveThrottleSlot(run: Run): number {
    const throttle = run.definition.throttle;
    if (!throttle) return 0;
    const key = `${run.definition.id}\u0000${throttle.key ? String(run.payload[throttle.key]) : ""}`;
    const period = periodToMs(throttle.period);
    const now = Date.now();
    this.pruneThrottleWindows(now);
    const starts = (this.throttleWindows.get(key)?.starts ?? []).filter((start) => start > now - period);
    const startAt = starts.length >= throttle.limit ? (starts[starts.length - throttle.limit] as number) + period : now;
    starts.push(startAt);
    this.throttleWindows.set(key, { starts, periodMs: period });
    return startAt - now;
  }

  /** Forgets the keys whose every reserved start is a full period old; at most once a minute. */
  private pruneThrottleWindows(now: number): void {
    if (now < this.nextThrottlePruneAt) return;
    this.nextThrottlePruneAt = now + THROTTLE_PRUNE_INTERVAL_MS;
    for (const [key, window] of this.throttleWindows) {
      if (window.starts.every((start) => start <= now - window.periodMs)) this.throttleWindows.delete(key);
    }
  }

  private schedule(run: Run, delayMs: number): void {
    // Not unref'd: a script that enqueued work stays alive until the work is done.
    const timer = setTimeout(() => {
      this.scheduled.delete(timer);
      this.admit(run);
    }, delayMs);
    this.scheduled.set(timer, run);
  }

  /** Executes the run now, or queues it behind its concurrency limit. */
  private admit(run: Run): void {
    const key = run.concurrencyKey;
    const limit = run.definition.concurrency?.limit;
    if (key !== undefined && limit !== undefined && (this.executing.get(key) ?? 0) >= limit) {
      this.queued.set(key, [...(this.queued.get(key) ?? []), run]);
      return;
    }
    void this.execute(run);
  }

  private async execute(run: Run): Promise<void> {
    const key = run.concurrencyKey;
    if (key !== undefined) this.executing.set(key, (this.executing.get(key) ?? 0) + 1);
    const { definition } = run;
    const meta = { job: definition.id, run: run.id, attempt: run.attempt };
    try {
      const handler = await this.handlerOf(definition);
      await handler.run({
        payload: run.payload,
        step: this.createStep(run),
        logger: this.logger,
        attempt: run.attempt,
      });
      this.settle(run);
    } catch (error) {
      if (error instanceof SleepSignal) {
        // Not a failure: the run comes back when the sleep is over, this step then done.
        if (this.isStopped) this.drop(run);
        else this.schedule(run, Math.max(0, error.until - Date.now()));
        return;
      }
      const decision = decideRetry(error, run.attempt, definition.retries, { random: this.random });
      if (decision.retry && this.isStopped) {
        // Shutting down is not the job's failure: no failure handler, the work resumes on start.
        this.drop(run);
      } else if (decision.retry) {
        this.logger.warn(`${definition.id} failed, retrying in ${decision.delayMs} ms`, {
          ...meta,
          error: describeError(error),
        });
        run.attempt++;
        this.schedule(run, decision.delayMs);
      } else {
        this.logger.error(`${definition.id} failed`, { ...meta, error: describeError(error) });
        await this.runFailureHandler(run, error);
        this.settle(run);
      }
    } finally {
      if (key !== undefined) this.releaseSlot(key);
    }
  }

  private async runFailureHandler(run: Run, error: unknown): Promise<void> {
    if (!run.definition.hasFailureHandler) return;
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    try {
      const handler = await this.handlerOf(run.definition);
      await handler.onFailure?.({ payload: run.payload, error: { name, message }, logger: this.logger });
    } catch (failureError) {
      this.logger.error(`${run.definition.id} failure handler failed`, {
        run: run.id,
        error: describeError(failureError),
      });
    }
  }

  private handlerOf(definition: AnyJobDefinition): Promise<JobHandler> {
    const handler = this.handlers.get(definition.id);
    if (!handler) throw new Error(`No handler for job ${definition.id}`);
    return handler();
  }

  private releaseSlot(key: string): void {
    const count = (this.executing.get(key) ?? 1) - 1;
    if (count > 0) this.executing.set(key, count);
    else this.executing.delete(key);
    const waiting = this.queued.get(key);
    const next = waiting?.shift();
    if (waiting?.length === 0) this.queued.delete(key);
    if (next) void this.execute(next);
  }

  /** The step API of one attempt (lib/jobs/steps.ts), its memo kept on the run. */
  private createStep(run: Run): JobStep {
    return createJobStep({
      memo: { get: (key) => run.completedSteps.get(key), set: (key, json) => void run.completedSteps.set(key, json) },
      sendEvents: (events) => {
        // Validate every event before starting any, as one Inngest send would.
        const runs = events.flatMap((event) => this.prepareEvent(event));
        for (const [definition, payload] of runs) this.startRun(definition, payload);
      },
    });
  }

  private drop(run: Run): void {
    this.logger.warn(`${run.definition.id} dropped: the job driver stopped`, { run: run.id });
    this.settle(run);
  }

  private settle(_run: Run): void {
    this.activeRuns--;
    if (this.activeRuns > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private scheduleCronTick(): void {
    const delay = MINUTE_MS - (Date.now() % MINUTE_MS);
    this.cronTimer = setTimeout(() => {
      this.cronTimer = undefined;
      if (this.isStopped) return;
      try {
        this.tick(new Date());
      } catch (error) {
        this.logger.error("cron tick failed", { error: describeError(error) });
      }
      this.scheduleCronTick();
    }, delay);
    // The cron timer alone must never keep the process alive.
    this.cronTimer.unref?.();
  }
}
