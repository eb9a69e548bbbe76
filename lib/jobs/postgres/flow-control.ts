import type pg from "pg";
import type { AnyJobDefinition } from "../types";
import { periodToMs } from "../types";

/**
 * What pg-boss 10 lacks and the job definitions ask for, kept thin and in one place: per-key
 * concurrency (`concurrency`: deliveries one at a time per connection, across every instance),
 * per-key throttle (`throttle`: run starts per period), and the run-state changes pg-boss has no
 * call for (a retry at a time we choose — the definition's backoff or the package's Retry-After —,
 * a run put back to sleep without counting an attempt, a final failure decided by us).
 *
 * Everything works on pg-boss's own job table (pinned to 10.4.2: the columns used here are part
 * of that version's schema; tests/integration/lib/jobs/postgres-driver.pg.test.ts runs them):
 * nothing is kept beside it, and no job is ever dropped or refused at send time. A job whose key is
 * busy or whose throttle window is full simply stays `created`/`retry` in pg-boss until the claim
 * below sees room for it.
 *
 * The claim of a queue with flow control replaces pg-boss's fetch for that queue only. It runs
 * under a transaction-scoped advisory lock per queue, so two instances claiming at the same moment
 * see each other's claims (what SKIP LOCKED alone cannot give: the rule is about rows that are
 * *not* locked). It takes the oldest ready jobs whose key has a free slot (counting the jobs of that
 * key that are `active`, on any instance) and whose throttle key has had fewer than `limit` starts
 * in the last `period`. A run of a dead instance stays `active` until pg-boss expires it, so its
 * key stays taken until then: no second delivery on that connection while the first may still be
 * in flight.
 */

/** A claimed run; `steps` when the claim read its kept step results too (saves a round trip). */
export type ClaimedJob = {
  id: string;
  data: Record<string, unknown>;
  retryCount: number;
  steps?: Record<string, string>;
};

/** The table where the PostgreSQL driver keeps the step results of a run, by pg-boss job id. */
export function stepTable(schema: string): string {
  table(schema);
  return `${schema}.koppel_job_step`;
}

/**
 * A FROM item that lets its statement's own transaction commit without waiting for the disk
 * (set_config(…, true) lasts until that commit; no session setting, so it is safe behind a pooler
 * in transaction mode). For the driver's bookkeeping of a run — its completion, lease, retry,
 * sleep, failure, kept steps — whose loss, which only a crash of PostgreSQL itself can cause, only
 * runs work again: a run not seen completed or retried is claimed again once its lease expires, a
 * step not kept is redone, which steps must allow anyway (they run at least once). What keeps a
 * delivery at most once is the dispatch's own claim (lib/dispatch/deliver.ts), committed
 * synchronously, and its flush writes every earlier commit as well. Measured with `npm run bench
 * -- sustained`: a WAL flush per completed run was work on every send.
 */
export const ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit";

/** A pg client or pool: what runs the statements. */
type Queryable = Pick<pg.Pool, "query">;

/** A SQL string literal (standard_conforming_strings, PostgreSQL's default since 9.1). */
function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function table(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid pg-boss schema name: ${schema}`);
  return `${schema}.job`;
}

export function hasFlowControl(definition: AnyJobDefinition): boolean {
  return Boolean(definition.concurrency || definition.throttle);
}

/**
 * The indexes the claim below needs, on pg-boss's job table (created by the driver's start, under
 * its lock): pg-boss keeps finished runs in that table for a day, so without them every claim read
 * every run of the day (measured: 213 ms a claim with 300,000 finished deliveries, half an hour of
 * the month-end peak, while claims take turns). The running ones by queue (`busy`), the runs by
 * start (`recent` of a throttle without a key), per concurrency key the waiting runs in the order
 * they start (`waiting_keys` and a key's next runs), and per throttle key of a definition the runs of
 * that key by start: a claim counts the starts of the keys it may pick from, not every start of
 * the period (measured with `npm run bench -- sustained`: reading the minute's 7,200 starts at
 * 120 deliveries a second made each claim, which the instances take in turns, too slow to keep up).
 */
export function flowControlIndexesSql(schema: string, definitions: readonly AnyJobDefinition[] = []): string[] {
  const job = table(schema);
  const throttleKeys = [...new Set(definitions.flatMap((definition) => definition.throttle?.key ?? []))];
  const concurrencyKeys = [...new Set(definitions.flatMap((definition) => definition.concurrency?.key ?? []))];
  return [
    `CREATE INDEX IF NOT EXISTS koppel_job_active_i ON ${job} (name) WHERE state = 'active'`,
    `CREATE INDEX IF NOT EXISTS koppel_job_started_i ON ${job} (name, started_on) WHERE started_on IS NOT NULL`,
    ...concurrencyKeys.map(
      (key) =>
        `CREATE INDEX IF NOT EXISTS koppel_job_waiting_${payloadKey(key).toLowerCase()}_i ON ${job} (name, coalesce(data->>${quoteLiteral(payloadKey(key))}, ''), priority DESC, created_on, id) WHERE state < 'active'`,
    ),
    ...throttleKeys.map(
      (key) =>
        `CREATE INDEX IF NOT EXISTS koppel_job_throttle_${payloadKey(key).toLowerCase()}_i ON ${job} (name, (data->>${quoteLiteral(payloadKey(key))}), started_on) WHERE started_on IS NOT NULL`,
    ),
  ];
}

/** A payload field named in SQL as a literal (and in an index's name): letters, digits and _ only. */
function payloadKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(key)) throw new Error(`Invalid flow-control key: ${key}`);
  return key;
}

/** An integer written into SQL (the definition's limits): checked, never taken from outside. */
function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Invalid flow-control number: ${value}`);
  return String(value);
}

/** The claim function of a queue with flow control (claimFunctionSql), by pg-boss schema and job id. */
function claimFunction(schema: string, definition: AnyJobDefinition): string {
  table(schema);
  if (!/^[A-Za-z0-9_.:-]{1,50}$/.test(definition.id)) throw new Error(`Invalid job id: ${definition.id}`);
  return `${schema}."koppel_claim:${definition.id}"`;
}

/**
 * The claim of a queue with flow control, as one statement with one parameter ($1: how many runs
 * at most). The definition's keys and limits are written in as literals, so that the expressions
 * match the indexes of flowControlIndexesSql.
 *
 * With a concurrency key, the claim's cost does not grow with the backlog: it walks the keys that
 * have waiting runs (a skip scan of the `waiting` index, one descent per key) and takes, per key
 * with a free slot, only its next runs. Measured (scripts/bench/claims.ts): reading every waiting
 * run made a claim of a queue of 100,000 waiting deliveries take ~170 ms, under a lock all
 * instances take in turns: a month-end backlog then slowed the very claims that would drain it.
 */
function claimSql(schema: string, definition: AnyJobDefinition): string {
  const job = table(schema);
  const concurrency = definition.concurrency;
  const throttle = definition.throttle;
  // A run's concurrency key: its payload field ('' when missing); without concurrency, its own id.
  const keyOf = (alias: string) =>
    concurrency ? `coalesce(${alias}.data->>${quoteLiteral(payloadKey(concurrency.key))}, '')` : `${alias}.id::text`;
  const throttleKeyOf = (alias: string) =>
    !throttle
      ? `${alias}.id::text`
      : throttle.key
        ? `coalesce(${alias}.data->>${quoteLiteral(payloadKey(throttle.key))}, '')`
        : "''";
  const name = quoteLiteral(definition.id);
  const waiting = `j.name = ${name} AND j.state < 'active'`;
  const startable = concurrency
    ? `
      waiting_keys AS (
        (SELECT ${keyOf("j")} AS ckey FROM ${job} j WHERE ${waiting} ORDER BY 1 LIMIT 1)
        UNION ALL
        SELECT (SELECT ${keyOf("j")} FROM ${job} j WHERE ${waiting} AND ${keyOf("j")} > w.ckey ORDER BY 1 LIMIT 1)
        FROM waiting_keys w WHERE w.ckey IS NOT NULL
      ),
      busy AS (
        SELECT ${keyOf("a")} AS ckey, count(*) AS n FROM ${job} a WHERE a.name = ${name} AND a.state = 'active' GROUP BY 1
      ),
      -- Per key with a free slot, its next runs, at most one per free slot: the throttle below
      -- counts the starts of a handful of keys, whatever the backlog.
      startable AS (
        SELECT r.* FROM waiting_keys w
        LEFT JOIN busy b ON b.ckey = w.ckey
        CROSS JOIN LATERAL (
          SELECT j.id, j.priority, j.created_on, ${throttleKeyOf("j")} AS tkey FROM ${job} j
          WHERE ${waiting} AND ${keyOf("j")} = w.ckey AND j.start_after < now()
          ORDER BY j.priority DESC, j.created_on, j.id
          LIMIT ${sqlInteger(concurrency.limit)} - coalesce(b.n, 0)
        ) r
        WHERE w.ckey IS NOT NULL AND coalesce(b.n, 0) < ${sqlInteger(concurrency.limit)}
      ),`
    : `
      startable AS (
        SELECT j.id, j.priority, j.created_on, ${throttleKeyOf("j")} AS tkey FROM ${job} j
        WHERE ${waiting} AND j.start_after < now()
      ),`;
  // The starts of one throttle key within the period, read from that key's index (only the keys
  // of the runs that may start are counted); a throttle without a key counts every start of the queue.
  const startedWithin = throttle
    ? `t.started_on > now() - ${sqlInteger(periodToMs(throttle.period))} * interval '1 millisecond'`
    : "";
  const recent = !throttle
    ? ""
    : `
      recent AS (
        SELECT k.tkey, ${
          throttle.key
            ? // The key's own index (flowControlIndexesSql) has the bare field: a missing key is '' here.
              `CASE WHEN k.tkey = '' THEN (SELECT count(*) FROM ${job} t
                  WHERE t.name = ${name} AND ${startedWithin} AND ${throttleKeyOf("t")} = '')
                ELSE (SELECT count(*) FROM ${job} t
                  WHERE t.name = ${name} AND t.data->>${quoteLiteral(payloadKey(throttle.key))} = k.tkey AND ${startedWithin}) END`
            : `(SELECT count(*) FROM ${job} t WHERE t.name = ${name} AND ${startedWithin})`
        } AS n
        FROM (SELECT DISTINCT tkey FROM startable) k
      ),`;
  return `
    WITH RECURSIVE ${startable}${recent}
    picked AS (
      SELECT r.id FROM (
        SELECT s.*, ${throttle ? "coalesce(rc.n, 0)" : "0"} AS recent,
          row_number() OVER (PARTITION BY s.tkey ORDER BY s.priority DESC, s.created_on, s.id) AS trn
        FROM startable s ${throttle ? "LEFT JOIN recent rc ON rc.tkey = s.tkey" : ""}
      ) r
      ${throttle ? `WHERE r.trn <= ${sqlInteger(throttle.limit)} - r.recent` : ""}
      ORDER BY r.priority DESC, r.created_on, r.id
      LIMIT $1
    )
    UPDATE ${job} j SET
      state = 'active',
      started_on = now(),
      retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    -- The picked runs by primary key, whatever the table's statistics say: without them a join, or
    -- a partial index of waiting runs the state test lets in, was planned as a walk of every
    -- waiting run. Compared as text, the state (created or retry: waiting) lets no partial index in.
    WHERE j.name = ${name} AND j.id = ANY(ARRAY(SELECT id FROM picked)) AND j.state::text IN ('created', 'retry')
    RETURNING j.id, j.data, j.retry_count,
      (SELECT json_object_agg(s.step_key, s.result) FROM ${stepTable(schema)} s WHERE s.job_id = j.id)`;
}

/**
 * The claim as a function of the database, created by the driver's start (CREATE OR REPLACE, under
 * its start lock): one round trip, and the queue's lock is held for the database's work only — taken
 * inside, released by the commit that follows the call at once. Called from the client, the lock was
 * held across three round trips of a busy instance, and instances waited for it: the first wait in
 * PostgreSQL's samples under `npm run bench -- sustained`.
 * A claim that finds no waiting run — most of them: a loop woken by a run that ended — returns at
 * once, without the lock (measured: 1.1 → 0.26 ms, `npm run bench -- claims`, backlog 0); a run
 * sent after that look wakes the loops as any new run does.
 * The claim statement is planned on every call (plan_cache_mode = force_custom_plan, ~1 ms): a plan kept
 * from the queue's first claims, when its table was nearly empty, walked every waiting run once
 * the backlog grew, until the next ANALYZE of the table (measured with `npm run bench -- claims`,
 * which does not analyze: 169 ms a claim at 100,000 waiting runs with the kept plan, 3 ms planned
 * each time). A fresh plan sees the table's present size even when it was never analyzed.
 * Kept plans were tried again with every scan but the index ones turned off inside the function
 * (and the picked runs claimed one by one by their whole primary key): 4.2 → 2.3 ms a claim in
 * that bench, but on a queue's empty partition every index that starts with the queue's name costs
 * the same, and a plan kept from there counted a connection's starts in the primary key, filtering
 * the minute's starts of every connection (`npm run bench -- sustained` at 60 a second, auto_explain:
 * 18,099 blocks and a median of 19 ms a claim; claims took 22–27 % of PostgreSQL's samples instead
 * of 10–12 %). So the plan stays fresh.
 *
 * The lock (transaction-scoped, per queue) is what lets two instances claiming at the same moment
 * see each other's claims: the claim statement runs after it, with a snapshot of its own (a
 * volatile function's statements each take one), so it sees every claim committed before the lock
 * was ours.
 * The commit does not wait for the disk (set_config(…, true), this transaction only): claims take
 * turns under the lock, which a WAL flush per claim made the bottleneck of the month-end peak.
 * Losing it costs nothing but time: only a crash of PostgreSQL itself can lose an unflushed commit,
 * and then the run is simply claimed again. What makes a delivery happen at most once is the
 * dispatch's own claim (lib/dispatch/deliver.ts), committed synchronously; and that flush writes
 * every earlier commit, this one included, so a run whose delivery began is never seen as unclaimed.
 */
export function claimFunctionSql(schema: string, definition: AnyJobDefinition): string {
  const lockName = quoteLiteral(`koppel-jobs-claim:${schema}:${definition.id}`);
  return `CREATE OR REPLACE FUNCTION ${claimFunction(schema, definition)}(integer)
    RETURNS TABLE (run_id uuid, run_data jsonb, run_retry_count integer, run_steps json)
    LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_custom_plan AS $claim$
    BEGIN
      -- Nothing waits (most claims: a loop woken by a run that ended): no lock, no plan to make.
      IF NOT EXISTS (SELECT 1 FROM ${table(schema)} j WHERE j.name = ${quoteLiteral(definition.id)} AND j.state < 'active') THEN
        RETURN;
      END IF;
      PERFORM set_config('synchronous_commit', 'off', true);
      PERFORM pg_advisory_xact_lock(hashtext(${lockName}));
      RETURN QUERY ${claimSql(schema, definition)};
    END
    $claim$`;
}

/**
 * Claims up to `batchSize` ready jobs of a queue with flow control, marking them `active` as
 * pg-boss's fetch would (started_on, retry_count counted on a retry), through the queue's claim
 * function (claimFunctionSql).
 */
export async function claimWithFlowControl(
  pool: Queryable,
  schema: string,
  definition: AnyJobDefinition,
  batchSize: number,
): Promise<ClaimedJob[]> {
  const { rows } = await pool.query<{
    run_id: string;
    run_data: Record<string, unknown> | null;
    run_retry_count: number;
    run_steps: Record<string, string> | null;
  }>(`SELECT * FROM ${claimFunction(schema, definition)}($1::int)`, [batchSize]);
  return rows.map((row) => ({
    id: row.run_id,
    data: row.run_data ?? {},
    retryCount: row.run_retry_count,
    steps: row.run_steps ?? {},
  }));
}

/**
 * Keeps an executing run from being expired: pg-boss fails an `active` job whose
 * `started_on + expire_in` has passed (its maintenance), and another instance then retries it.
 * Each beat moves that point `expireInSeconds` past now. False when the job is no longer ours.
 */
export async function extendLease(
  pool: Queryable,
  schema: string,
  name: string,
  id: string,
  expireInSeconds: number,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE ${table(schema)} SET expire_in = (now() - started_on) + $3::int * interval '1 second'
     FROM ${ASYNC_COMMIT}
     WHERE name = $1 AND id = $2 AND state = 'active'`,
    [name, id, expireInSeconds],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The run finished: `completed` as pg-boss's complete() marks it (the same update), and its kept
 * step results deleted in the same statement, so a finished run costs one commit, not two. False
 * when the run was no longer ours (its lease expired and another instance took it).
 */
export async function completeRun(pool: Queryable, schema: string, name: string, id: string): Promise<boolean> {
  const { rows } = await pool.query<{ completed: number }>(
    `WITH completed AS (
       UPDATE ${table(schema)} SET completed_on = now(), state = 'completed', output = NULL
       FROM ${ASYNC_COMMIT}
       WHERE name = $1 AND id = $2 AND state = 'active'
       RETURNING id
     ), forgotten AS (
       DELETE FROM ${stepTable(schema)} WHERE job_id IN (SELECT id FROM completed)
     )
     SELECT count(*)::int AS completed FROM completed`,
    [name, id],
  );
  return (rows[0]?.completed ?? 0) > 0;
}

/** A failed attempt that will be tried again at `delayMs` from now (our backoff or Retry-After). */
export async function scheduleRetry(
  pool: Queryable,
  schema: string,
  name: string,
  id: string,
  delayMs: number,
  error: { name: string; message: string },
): Promise<void> {
  await pool.query(
    `UPDATE ${table(schema)} SET state = 'retry', start_after = now() + $3::bigint * interval '1 millisecond',
       output = $4::jsonb
     FROM ${ASYNC_COMMIT}
     WHERE name = $1 AND id = $2 AND state = 'active'`,
    [name, id, Math.max(0, Math.round(delayMs)), JSON.stringify(error)],
  );
}

/**
 * A run that sleeps (step.sleepUntil) goes back to `created` until then: it holds no concurrency
 * slot meanwhile, and waking counts no attempt (started_on cleared, so pg-boss's fetch does not
 * count a retry; retry_count stays what it was).
 */
export async function putBackUntil(pool: Queryable, schema: string, name: string, id: string, until: Date) {
  await pool.query(
    `UPDATE ${table(schema)} SET state = 'created', start_after = $3, started_on = NULL
     FROM ${ASYNC_COMMIT}
     WHERE name = $1 AND id = $2 AND state = 'active'`,
    [name, id, until],
  );
}

/** The last attempt failed (retries spent, or not retriable): `failed`, with the error as output. */
export async function markFailed(
  pool: Queryable,
  schema: string,
  name: string,
  id: string,
  error: { name: string; message: string },
): Promise<void> {
  await pool.query(
    `UPDATE ${table(schema)} SET state = 'failed', completed_on = now(), output = $3::jsonb
     FROM ${ASYNC_COMMIT}
     WHERE name = $1 AND id = $2 AND state = 'active'`,
    [name, id, JSON.stringify(error)],
  );
}
