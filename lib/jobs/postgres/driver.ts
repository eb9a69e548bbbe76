import pg from "pg";
import PgBoss from "pg-boss";
import { preparedStatementPoolOptions } from "@/db/prepared-statements";
import { decideRetry } from "../retry";
import { createJobStep, describeJobError, failureErrorOf, parseJobPayload, SleepSignal, type StepMemo } from "../steps";
import {
  type AnyJobDefinition,
  isCronJob,
  type JobEventMessage,
  type JobHandler,
  type JobHandlerLoader,
  type JobLogger,
  jobEventName,
  lazyJobHandler,
} from "../types";
import {
  ASYNC_COMMIT,
  type ClaimedJob,
  claimFunctionSql,
  claimWithFlowControl,
  completeRun,
  extendLease,
  flowControlIndexesSql,
  hasFlowControl,
  markFailed,
  putBackUntil,
  scheduleRetry,
  stepTable,
} from "./flow-control";

/**
 * The PostgreSQL job driver (JOB_DRIVER=postgres): the same definitions and handlers as the other
 * two drivers, on pg-boss 10 (Node 20; 11 and later need Node 22). Every instance that starts it
 * shares the work through the database:
 *
 * - pg-boss stores every run (one queue per job id, created on start), claims it (SKIP LOCKED),
 *   expires the run of an instance that died and hands it to another (its maintenance), and fires
 *   the crons (its schedules: once per minute across all instances).
 * - A run's attempt is pg-boss's retry_count; its `retry_limit` is the definition's `retries` plus
 *   one, the extra pass being kept for onFailure when the last attempt died with its instance.
 * - The step results of a run are kept in `<schema>.koppel_job_step` by job id, so a retry, or
 *   the instance that takes over after a crash, does not redo a finished step.
 * - The delay before a retry is the shared policy of lib/jobs/retry.ts (the in-process driver's:
 *   exponential with jitter, a RetryAfterJobError's own time, none for a NonRetriableJobError).
 * - Per-key concurrency, throttle and the run-state changes pg-boss has no call for live in
 *   ./flow-control.ts.
 *
 * Recovery after a crash: a run's lease is `expireInSeconds` (20 s from its last heartbeat),
 * renewed every `heartbeatSeconds` (4 s) while it executes; pg-boss's maintenance expires leases
 * every `maintenanceIntervalSeconds` (5 s, one instance at a time), and workers poll every
 * `pollingIntervalMs` (1 s). A killed instance's run is thus claimed by another at most
 * 20 + 5 + 1 = 26 s after the kill.
 */

export type PostgresJobDriverOptions = {
  connectionString: string;
  definitions: readonly AnyJobDefinition[];
  handlers: Readonly<Record<string, JobHandlerLoader>>;
  logger?: JobLogger;
  /** Source of jitter in [0, 1); tests pin it. */
  random?: () => number;
  /** pg-boss's schema (default "pgboss"); tests use their own. */
  schema?: string;
  /** False: this process only sends (a script); no worker, no maintenance, no cron. Default true. */
  work?: boolean;
  expireInSeconds?: number;
  heartbeatSeconds?: number;
  maintenanceIntervalSeconds?: number;
  pollingIntervalMs?: number;
  /** Runs executing at once in this process, over all queues. */
  maxRunsPerProcess?: number;
  /** How often pg-boss looks for crons due (seconds, 1–45). */
  cronMonitorIntervalSeconds?: number;
  /**
   * The driver's own statements with parameters (claims, completions, leases) as prepared
   * statements of their connection (db/prepared-statements.ts; DATABASE_PREPARED_STATEMENTS).
   * pg-boss's statements go through its own pool, unprepared.
   */
  preparedStatements?: boolean;
};

const FAILURE_STEP = "__on-failure";

/** What pg-boss runs a statement with when it is given a `db`: here, the caller's transaction. */
export type SqlExecutor = { executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }> };

const consoleLogger: JobLogger = {
  info: (message, meta) => console.info(`[jobs] ${message}`, ...(meta ? [meta] : [])),
  warn: (message, meta) => console.warn(`[jobs] ${message}`, ...(meta ? [meta] : [])),
  error: (message, meta) => console.error(`[jobs] ${message}`, ...(meta ? [meta] : [])),
};

export class PostgresJobDriver {
  readonly schema: string;
  private readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private readonly logger: JobLogger;
  private readonly random: () => number;
  private readonly definitions: readonly AnyJobDefinition[];
  private readonly listeners = new Map<string, AnyJobDefinition[]>();
  private readonly handlers = new Map<string, () => Promise<JobHandler>>();
  private readonly expireInSeconds: number;
  private readonly heartbeatMs: number;
  private readonly pollingIntervalMs: number;
  private readonly maxRuns: number;
  private readonly work: boolean;
  private readonly executing = new Set<Promise<void>>();
  /** Sleeping work loops by queue, woken early when their queue may have work. */
  private readonly wakers = new Map<string, Set<() => void>>();
  /**
   * Queues woken while their loop was not asleep (it was claiming): its next sleep returns at once.
   * Without it a run that ends during the loop's claim — a delivery that takes less time than a
   * claim, the usual case — lost its wake-up, and the next run of the same connection waited a
   * whole polling interval (measured: deliveries one at a time spent most of their time there).
   */
  private readonly missedWakes = new Set<string>();
  private loops: Promise<void>[] = [];
  private started: Promise<void> | undefined;
  private isStopped = false;

  constructor(options: PostgresJobDriverOptions) {
    this.schema = options.schema ?? "pgboss";
    this.logger = options.logger ?? consoleLogger;
    this.random = options.random ?? Math.random;
    this.definitions = options.definitions;
    this.expireInSeconds = options.expireInSeconds ?? 20;
    this.heartbeatMs = (options.heartbeatSeconds ?? 4) * 1000;
    this.pollingIntervalMs = options.pollingIntervalMs ?? 1000;
    this.maxRuns = options.maxRunsPerProcess ?? 20;
    this.work = options.work ?? true;
    for (const definition of options.definitions) {
      const load = options.handlers[definition.id];
      if (!load) throw new Error(`No handler for job ${definition.id}`);
      this.handlers.set(definition.id, lazyJobHandler(definition, load));
      const name = jobEventName(definition);
      if (name) this.listeners.set(name, [...(this.listeners.get(name) ?? []), definition]);
    }
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 4,
      ...preparedStatementPoolOptions(options.preparedStatements ?? false),
    });
    this.pool.on("error", (error) => this.logger.warn("job driver pool error", { error: describeJobError(error) }));
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      schema: this.schema,
      max: 4,
      supervise: this.work,
      schedule: this.work,
      expireInSeconds: this.expireInSeconds,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 5,
      cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds ?? 30,
      // Completed runs are kept a day for diagnosis, then archived; failed ones a week.
      archiveCompletedAfterSeconds: 24 * 3600,
      archiveFailedAfterSeconds: 7 * 24 * 3600,
    });
    this.boss.on("error", (error) => this.logger.warn("pg-boss error", { error: describeJobError(error) }));
  }

  /** Installs pg-boss's schema and our step table, creates a queue per job and the cron schedules. */
  start(): Promise<void> {
    this.started ??= this.doStart();
    return this.started;
  }

  private async doStart(): Promise<void> {
    // Instances starting together would race on installing pg-boss's schema (pg-boss 10's own
    // install is not safe to run twice at once) and on the queues: one at a time.
    const lock = await this.pool.connect();
    try {
      await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`koppel-jobs-start:${this.schema}`]);
      await this.install();
    } finally {
      await lock.query("SELECT pg_advisory_unlock(hashtext($1))", [`koppel-jobs-start:${this.schema}`]).catch(() => {});
      lock.release();
    }
    if (this.work) this.loops = this.definitions.map((definition) => this.workLoop(definition));
  }

  private async install(): Promise<void> {
    await this.boss.start();
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${stepTable(this.schema)} (
         job_id uuid NOT NULL, step_key text NOT NULL, result text NOT NULL,
         created_on timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job_id, step_key))`,
    );
    for (const definition of this.definitions) {
      const queue = {
        name: definition.id,
        policy: "standard" as const,
        retryLimit: definition.retries + 1,
        retryDelay: 0,
        retryBackoff: false,
        expireInSeconds: this.expireInSeconds,
      };
      if (await this.boss.getQueue(definition.id)) await this.boss.updateQueue(definition.id, queue);
      else await this.boss.createQueue(definition.id, queue);
      if (this.work && isCronJob(definition)) {
        await this.boss.schedule(definition.id, definition.trigger.cron, {}, { tz: "UTC" });
      }
    }
    // On the partitioned table: every queue's partition gets them, those created later too.
    for (const statement of flowControlIndexesSql(this.schema, this.definitions)) await this.pool.query(statement);
    for (const definition of this.definitions.filter(hasFlowControl)) {
      await this.pool.query(claimFunctionSql(this.schema, definition));
    }
  }

  /** Validates the events against every listener, then stores one run per listener (one insert). */
  async enqueueEvents(events: readonly JobEventMessage[]): Promise<number> {
    if (this.isStopped) throw new Error("The PostgreSQL job driver is stopped");
    const jobs = this.runsOf(events);
    if (jobs.length === 0) return 0;
    await this.start();
    await this.boss.insert(jobs);
    this.wakeQueues(jobs.map((job) => job.name));
    return jobs.length;
  }

  /**
   * enqueueEvents within the caller's open transaction on this driver's database (`transaction`
   * runs pg-boss's insert there): the runs exist exactly when that transaction commits. Returns the
   * queues to wake once it has (wakeQueues): woken before, a loop would claim before the runs are
   * visible and go back to sleep.
   */
  async enqueueEventsInTransaction(
    transaction: SqlExecutor,
    events: readonly JobEventMessage[],
  ): Promise<readonly string[]> {
    if (this.isStopped) throw new Error("The PostgreSQL job driver is stopped");
    const jobs = this.runsOf(events);
    if (jobs.length === 0) return [];
    await this.start();
    await this.boss.insert(jobs, { db: transaction });
    return [...new Set(jobs.map((job) => job.name))];
  }

  /** Wakes this instance's loops of these queues (runs were just stored for them). */
  wakeQueues(queues: readonly string[]): void {
    for (const name of new Set(queues)) this.wake(name);
  }

  private runsOf(events: readonly JobEventMessage[]): { name: string; data: Record<string, unknown> }[] {
    return events.flatMap((event) => {
      const definitions = this.listeners.get(event.name);
      if (!definitions?.length) throw new Error(`No job listens to the event "${event.name}"`);
      return definitions.map((definition) => ({
        name: definition.id,
        data: parseJobPayload(definition, event.payload),
      }));
    });
  }

  async enqueue(eventName: string, payload: unknown): Promise<number> {
    return this.enqueueEvents([{ name: eventName, payload: payload as Record<string, unknown> }]);
  }

  /** Stops claiming, lets executing attempts finish (their outcome is recorded), closes pg-boss. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    this.wake();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.executing]);
    await this.boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  /**
   * For tests of a crash: stops at once, as a killed process would. Executing runs are abandoned
   * (no outcome written, no heartbeat), so pg-boss expires them and another instance takes over.
   */
  async abandon(): Promise<void> {
    this.isStopped = true;
    this.abandoned = true;
    this.wake();
    await this.boss.stop({ graceful: false, wait: false, close: true }).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private abandoned = false;

  get stopped(): boolean {
    return this.isStopped;
  }

  /** Wakes the loops of one queue, or of every queue; a loop that is not asleep sees it on its next sleep. */
  private wake(queue?: string): void {
    const queues = queue === undefined ? this.definitions.map((definition) => definition.id) : [queue];
    for (const name of queues) {
      const sleepers = [...(this.wakers.get(name) ?? [])];
      if (sleepers.length === 0) this.missedWakes.add(name);
      for (const wake of sleepers) wake();
    }
  }

  private sleep(queue: string, ms: number): Promise<void> {
    if (this.missedWakes.delete(queue)) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.wakers.get(queue) ?? new Set();
      this.wakers.set(queue, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private async workLoop(definition: AnyJobDefinition): Promise<void> {
    while (!this.isStopped) {
      const room = this.maxRuns - this.executing.size;
      if (room <= 0) {
        await this.sleep(definition.id, this.pollingIntervalMs);
        continue;
      }
      let jobs: ClaimedJob[] = [];
      const batchSize = Math.min(room, 10);
      try {
        jobs = await this.claim(definition, batchSize);
      } catch (error) {
        if (!this.isStopped) this.logger.warn(`${definition.id}: claim failed`, { error: describeJobError(error) });
      }
      if (this.isStopped) {
        // Claimed while stopping: back to the queue at once, no attempt counted.
        for (const job of jobs)
          await putBackUntil(this.pool, this.schema, definition.id, job.id, new Date()).catch(() => undefined);
        return;
      }
      for (const job of jobs) {
        const running = this.execute(definition, job).finally(() => {
          const wasFull = this.executing.size >= this.maxRuns;
          this.executing.delete(running);
          // A key of this queue is free (and, if this process was full, a slot for every queue).
          this.wake(wasFull ? undefined : definition.id);
        });
        this.executing.add(running);
      }
      // Fewer than asked: nothing else could start now. The loop sleeps until something may have
      // changed that (a run of this queue sent or ended here, seen even when it happened during the
      // claim) or the polling interval passed (another instance's), rather than claim again for
      // nothing: a claim is a round trip, and one that finds runs it cannot start takes the queue's lock.
      if (jobs.length < batchSize) await this.sleep(definition.id, this.pollingIntervalMs);
    }
  }

  private async claim(definition: AnyJobDefinition, batchSize: number): Promise<ClaimedJob[]> {
    if (hasFlowControl(definition)) return claimWithFlowControl(this.pool, this.schema, definition, batchSize);
    const jobs = await this.boss.fetch<Record<string, unknown>>(definition.id, { batchSize, includeMetadata: true });
    return jobs.map((job) => ({ id: job.id, data: job.data ?? {}, retryCount: job.retryCount }));
  }

  private async execute(definition: AnyJobDefinition, job: ClaimedJob): Promise<void> {
    const attempt = job.retryCount;
    const meta = { job: definition.id, run: job.id, attempt };
    const heartbeat = setInterval(() => {
      if (this.abandoned) return;
      extendLease(this.pool, this.schema, definition.id, job.id, this.expireInSeconds).then(
        (ours) => {
          if (!ours) this.logger.warn(`${definition.id}: lease lost`, meta);
        },
        (error) => this.logger.warn(`${definition.id}: heartbeat failed`, { ...meta, error: describeJobError(error) }),
      );
    }, this.heartbeatMs);
    try {
      const memo = await this.loadMemo(job);
      let payload: Record<string, unknown>;
      try {
        payload = parseJobPayload(definition, job.data);
      } catch (error) {
        // A payload that does not parse never gets better by retrying.
        await this.fail(definition, job, {}, memo, error);
        return;
      }
      if (attempt > definition.retries) {
        // The pass kept for onFailure: the last attempt died with its instance.
        await this.fail(definition, job, payload, memo, new Error("the last attempt was interrupted"));
        return;
      }
      try {
        const handler = await this.handlerOf(definition);
        const step = createJobStep({ memo, sendEvents: (events) => this.enqueueEvents(events).then(() => undefined) });
        await handler.run({ payload, step, logger: this.logger, attempt });
      } catch (error) {
        if (this.abandoned) return;
        if (error instanceof SleepSignal) {
          await putBackUntil(this.pool, this.schema, definition.id, job.id, new Date(error.until));
          return;
        }
        const decision = decideRetry(error, attempt, definition.retries, { random: this.random });
        if (decision.retry) {
          this.logger.warn(`${definition.id} failed, retrying in ${decision.delayMs} ms`, {
            ...meta,
            error: describeJobError(error),
          });
          await scheduleRetry(this.pool, this.schema, definition.id, job.id, decision.delayMs, failureErrorOf(error));
          return;
        }
        this.logger.error(`${definition.id} failed`, { ...meta, error: describeJobError(error) });
        await this.fail(definition, job, payload, memo, error);
        return;
      }
      if (this.abandoned) return;
      // Completed and its step rows deleted in one statement (one commit instead of two).
      await completeRun(this.pool, this.schema, definition.id, job.id);
    } catch (error) {
      // Recording the outcome failed (the database went away): pg-boss expires the run and it is
      // tried again, its finished steps kept.
      if (!this.abandoned) {
        this.logger.error(`${definition.id}: could not record the outcome`, {
          ...meta,
          error: describeJobError(error),
        });
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** onFailure once (kept as a step: a crash after it does not run it again), then `failed`. */
  private async fail(
    definition: AnyJobDefinition,
    job: ClaimedJob,
    payload: Record<string, unknown>,
    memo: StepMemo,
    error: unknown,
  ): Promise<void> {
    if (definition.hasFailureHandler && memo.get(FAILURE_STEP) === undefined) {
      try {
        const handler = await this.handlerOf(definition);
        await handler.onFailure?.({ payload, error: failureErrorOf(error), logger: this.logger });
      } catch (failureError) {
        this.logger.error(`${definition.id} failure handler failed`, {
          run: job.id,
          error: describeJobError(failureError),
        });
      }
      await memo.set(FAILURE_STEP, "null");
    }
    await markFailed(this.pool, this.schema, definition.id, job.id, failureErrorOf(error));
    await this.forgetSteps(job.id);
  }

  private handlerOf(definition: AnyJobDefinition): Promise<JobHandler> {
    const handler = this.handlers.get(definition.id);
    if (!handler) throw new Error(`No handler for job ${definition.id}`);
    return handler();
  }

  private async loadMemo(job: ClaimedJob): Promise<StepMemo> {
    const jobId = job.id;
    let steps: Map<string, string>;
    if (job.steps) steps = new Map(Object.entries(job.steps));
    else {
      const { rows } = await this.pool.query<{ step_key: string; result: string }>(
        `SELECT step_key, result FROM ${stepTable(this.schema)} WHERE job_id = $1`,
        [jobId],
      );
      steps = new Map(rows.map((row) => [row.step_key, row.result]));
    }
    return {
      get: (key) => steps.get(key),
      set: async (key, json) => {
        await this.pool.query(
          `INSERT INTO ${stepTable(this.schema)} (job_id, step_key, result) SELECT $1::uuid, $2::text, $3::text FROM ${ASYNC_COMMIT}
           ON CONFLICT (job_id, step_key) DO UPDATE SET result = excluded.result`,
          [jobId, key, json],
        );
        steps.set(key, json);
      },
    };
  }

  private async forgetSteps(jobId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${stepTable(this.schema)} USING ${ASYNC_COMMIT} WHERE job_id = $1`, [jobId]);
  }
}
