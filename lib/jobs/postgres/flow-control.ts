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
type Queryable = Pick<pg.Pool, "query" | "connect">;

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
 * start (`recent` of a throttle without a key), and per throttle key of a definition the runs of
 * that key by start: a claim counts the starts of the keys it may pick from, not every start of
 * the period (measured with `npm run bench -- sustained`: reading the minute's 7,200 starts at
 * 120 deliveries a second made each claim, which the instances take in turns, too slow to keep up).
 */
export function flowControlIndexesSql(schema: string, definitions: readonly AnyJobDefinition[] = []): string[] {
  const job = table(schema);
  const throttleKeys = [...new Set(definitions.flatMap((definition) => definition.throttle?.key ?? []))];
  return [
    `CREATE INDEX IF NOT EXISTS koppel_job_active_i ON ${job} (name) WHERE state = 'active'`,
    `CREATE INDEX IF NOT EXISTS koppel_job_started_i ON ${job} (name, started_on) WHERE started_on IS NOT NULL`,
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

/**
 * Claims up to `batchSize` ready jobs of a queue with flow control, marking them `active` as
 * pg-boss's fetch would (started_on, retry_count counted on a retry).
 */
export async function claimWithFlowControl(
  pool: Queryable,
  schema: string,
  definition: AnyJobDefinition,
  batchSize: number,
): Promise<ClaimedJob[]> {
  const job = table(schema);
  const concurrency = definition.concurrency;
  const throttle = definition.throttle;
  // The starts of one throttle key within the period, read from that key's index (only the keys
  // of the runs that may start are counted); a throttle without a key counts every start of the queue.
  const startedWithin = `t.started_on > now() - $9::int * interval '1 millisecond'`;
  const keyField = throttle?.key ? quoteLiteral(payloadKey(throttle.key)) : null;
  const startsOfKey =
    keyField === null
      ? `(SELECT count(*) FROM ${job} t WHERE t.name = $1 AND ${startedWithin})`
      : `CASE WHEN k.tkey = '' THEN (SELECT count(*) FROM ${job} t
            WHERE t.name = $1 AND ${startedWithin} AND coalesce(t.data->>${keyField}, '') = '')
          ELSE (SELECT count(*) FROM ${job} t WHERE t.name = $1 AND t.data->>${keyField} = k.tkey AND ${startedWithin}) END`;
  const client = await pool.connect();
  try {
    // One round trip for all three (a simple query, so no parameters: the lock's name is a literal
    // of the checked schema and our own job id). The lock is taken before the claim statement
    // starts, so its snapshot sees every claim committed before the lock was ours.
    // The commit does not wait for the disk (synchronous_commit off for this transaction only):
    // claims take turns under the lock, which a WAL flush per claim made the bottleneck of the
    // month-end peak. Losing it costs nothing but time: only a crash of PostgreSQL itself can lose
    // an unflushed commit, and then the run is simply claimed again. What makes a delivery happen
    // at most once is the dispatch's own claim (lib/dispatch/deliver.ts), committed synchronously;
    // and that flush writes every earlier commit, this one included, so a run whose delivery began
    // is never seen as unclaimed.
    await client.query(
      `BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_advisory_xact_lock(hashtext(${quoteLiteral(`koppel-jobs-claim:${schema}:${definition.id}`)}))`,
    );
    const { rows } = await client.query<{
      id: string;
      data: Record<string, unknown>;
      retry_count: number;
      steps: Record<string, string> | null;
    }>(
      `
      WITH ready AS (
        SELECT j.id, j.priority, j.created_on,
          CASE WHEN $3::text IS NULL THEN j.id::text ELSE coalesce(j.data->>$3::text, '') END AS ckey,
          CASE WHEN NOT $8::boolean THEN j.id::text WHEN $5::boolean THEN coalesce(j.data->>$6::text, '') ELSE '' END AS tkey
        FROM ${job} j
        WHERE j.name = $1 AND j.state < 'active' AND j.start_after < now()
      ),
      busy AS (
        SELECT coalesce(a.data->>$3::text, '') AS ckey, count(*) AS n FROM ${job} a
        WHERE $3::text IS NOT NULL AND a.name = $1 AND a.state = 'active'
        GROUP BY 1
      ),
      -- The runs whose concurrency key has a free slot: at most one per free slot, so the
      -- throttle below counts the starts of a handful of keys, whatever the backlog.
      startable AS (
        SELECT r.* FROM (
          SELECT r.*, coalesce(b.n, 0) AS busy,
            row_number() OVER (PARTITION BY r.ckey ORDER BY r.priority DESC, r.created_on, r.id) AS crn
          FROM ready r LEFT JOIN busy b ON b.ckey = r.ckey
        ) r
        WHERE $3::text IS NULL OR r.crn <= $4::int - r.busy
      ),
      recent AS (
        SELECT k.tkey, ${startsOfKey} AS n FROM (SELECT DISTINCT tkey FROM startable) k WHERE $8::boolean
      ),
      picked AS (
        SELECT r.id FROM (
          SELECT s.*, coalesce(rc.n, 0) AS recent,
            row_number() OVER (PARTITION BY s.tkey ORDER BY s.priority DESC, s.created_on, s.id) AS trn
          FROM startable s LEFT JOIN recent rc ON rc.tkey = s.tkey
        ) r
        WHERE NOT $8::boolean OR r.trn <= $7::int - r.recent
        ORDER BY r.priority DESC, r.created_on, r.id
        LIMIT $2
      )
      UPDATE ${job} j SET
        state = 'active',
        started_on = now(),
        retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
      FROM picked
      WHERE j.name = $1 AND j.id = picked.id AND j.state < 'active'
      RETURNING j.id, j.data, j.retry_count,
        (SELECT json_object_agg(s.step_key, s.result) FROM ${stepTable(schema)} s WHERE s.job_id = j.id) AS steps
      `,
      [
        definition.id,
        batchSize,
        concurrency ? concurrency.key : null,
        concurrency?.limit ?? 0,
        Boolean(throttle?.key),
        throttle?.key ?? "",
        throttle?.limit ?? 0,
        Boolean(throttle),
        throttle ? periodToMs(throttle.period) : 0,
      ],
    );
    await client.query("COMMIT");
    return rows.map((row) => ({
      id: row.id,
      data: row.data ?? {},
      retryCount: row.retry_count,
      steps: row.steps ?? {},
    }));
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
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
