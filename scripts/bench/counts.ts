/**
 * Case `counts` — only by name (`npm run bench -- counts`): three ways to serve a dossier's tab
 * counts, on the same data, on PostgreSQL (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a database koppel_perfdb_counts_<pid> made and
 * dropped here): an index-only scan of documents_portal_dossier_status_archived_idx (what the app
 * did before migration 0018), counters updated in place per dossier × status × archived (a
 * prototype in this bench only, bench_document_counts), and what the app does now: the change rows
 * of document_counts, written by the database's triggers and folded (lib/documents/counts.ts). The
 * triggers are part of the schema, so every "base" figure below includes their cost.
 *
 * 1. Seeds an office: one dossier of 100,000 documents and 200 of 500, the big one's statuses
 *    mixed as in the pages bench (6% inbox … 28% archived), interleaved in time order; `vacuum
 *    analyze`; the counters filled from a count.
 * 2. Reads: the app's grouped count of the big dossier against reading its counter rows.
 *    `bench counts-read index_only_p50_ms=… index_only_p95_ms=… counter_p50_ms=… counter_p95_ms=…
 *    kept_p50_ms=… kept_p95_ms=…` (kept: the app's read of its folded change rows)
 * 3. A bulk send of 1,000 inbox documents of the big dossier as the minimal SQL of requestSend (one
 *    transaction: the conditional status update, the dispatch rows, the events), without and with
 *    the counters moved by the status statement itself (a writable CTE over the rows it changed).
 *    `bench counts-bulk-send base_ms=… counters_ms=… added_ms=… ratio=…` (medians).
 * 4. Two such bulk sends in the same dossier at once (two connections, other documents each):
 *    without counters they touch different rows; with them the later one waits in its status
 *    statement for the first's commit on the dossier's counter rows. `bench counts-concurrent
 *    base_wall_ms=… counters_wall_ms=… base_status_ms=… counters_status_ms=… lock_wait_ms=…`
 *    (medians; *_status_ms the slower of the two status statements, lock_wait_ms their difference).
 */

import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openDb } from "@/db";

const BIG = 100_000;
const SMALL_DOSSIERS = 200;
const SMALL = 500;
const BULK = 1_000;
const READ_RUNS = 41;
const BULK_RUNS = 21;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
};
const ms = (value: number) => value.toFixed(2);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");

async function seed(client: pg.Client): Promise<{ portalId: string; bigId: string }> {
  const {
    rows: [portal],
  } = await client.query<{ id: string }>(`insert into portals (name) values ('Kantoor Tellers') returning id`);
  if (!portal) throw new Error("no portal");
  await client.query(
    `insert into dossiers (portal_id, name, company_number)
     select $1::uuid, 'Dossier ' || i, lpad((400000000 + i * 7)::text, 10, '0') from generate_series(0, $2::int) as i`,
    [portal.id, SMALL_DOSSIERS],
  );
  const {
    rows: [big],
  } = await client.query<{ id: string }>(`select id from dossiers where portal_id = $1 and name = 'Dossier 0'`, [
    portal.id,
  ]);
  if (!big) throw new Error("no big dossier");
  const total = BIG + SMALL_DOSSIERS * SMALL;
  // Every (total ÷ BIG)-th document belongs to the big dossier: its rows lie spread over the table.
  await client.query(
    `insert into documents ( -- lint-documents-ignore: benchmark fixtures
       portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, document_type,
       status, archived_at, sent_at, created_at, updated_at)
     select $1::uuid, case when g % $3::int = 0 then $2::uuid else d.id end, 'upload', 'factuur-' || g || '.pdf',
       'application/pdf', 80000, md5(g::text) || md5((g + 1)::text), 'bench/' || g, 'purchase_invoice',
       s.status::document_status, case when h between 66 and 93 then now() end,
       case when s.status = 'sent' then now() end, now() - (g || ' minutes')::interval, now()
     from generate_series(1, $4::int) as g
       cross join lateral (select ((hashint4(g * 31 + 7)::bigint & 2147483647) % 100)::int as h) as t
       cross join lateral (select case when t.h < 6 then 'inbox' when t.h < 94 then 'sent' when t.h < 98 then 'failed'
         else 'rejected' end as status) as s
       join (select id, row_number() over (order by id) as n from dossiers where portal_id = $1 and id <> $2) as d
         on d.n = 1 + g % $5::int`,
    [portal.id, big.id, Math.round(total / BIG), total, SMALL_DOSSIERS],
  );
  // Enough inbox documents in the big dossier for every bulk send: 6% are, a few more are made so.
  await client.query(
    `update documents set status = 'inbox', archived_at = null, sent_at = null -- lint-documents-ignore: benchmark fixtures
     where id in (select id from documents where dossier_id = $1 and status = 'sent' and archived_at is null limit 4000)`,
    [big.id],
  );
  await client.query(`vacuum analyze`);
  // The prototype: one counter row per dossier × status × archived, filled from a count.
  await client.query(
    `create table bench_document_counts (
       dossier_id uuid not null, status document_status not null, archived boolean not null, n integer not null,
       primary key (dossier_id, status, archived))`,
  );
  await client.query(
    `insert into bench_document_counts
     select k.dossier_id, s.status, a.archived, count(d.id)::int
     from (select distinct dossier_id from documents) as k
       cross join unnest(enum_range(null::document_status)) as s(status)
       cross join (values (false), (true)) as a(archived)
       left join documents d on d.dossier_id = k.dossier_id and d.status = s.status and (d.archived_at is not null) = a.archived
     group by 1, 2, 3`,
  );
  await client.query(`vacuum analyze bench_document_counts`);
  return { portalId: portal.id, bigId: big.id };
}

/** What the app runs for the tabs (lib/documents/list.ts tabCountQuery). */
const TAB_COUNTS = `select status, archived_at is not null as archived, count(*)::int from documents
  where portal_id = $1 and dossier_id = $2 group by status, archived_at is not null`;
const COUNTER_READ = `select status, archived, n from bench_document_counts where dossier_id = $1`;
/** What the app runs for the tabs now (lib/documents/counts.ts readDocumentCounts). */
const KEPT_READ = `select dossier_id, status, is_archived, sum(n)::int, count(*)::int from document_counts
  where portal_id = $1 and dossier_id = any($2::uuid[]) group by 1, 2, 3`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * One bulk send of `ids` in one transaction, as requestSend's minimal SQL: inbox → sending, a
 * dispatch and an event per document. With `counters`, the status statement also moves the
 * dossier's counter rows (a writable CTE over the rows it changed: the same statement, so they
 * cannot drift), which holds those rows locked until the commit. `statusMs` is that statement's
 * time: where a second bulk send in the dossier waits.
 */
async function bulkSend(
  client: pg.Client,
  s: { portalId: string; bigId: string },
  ids: string[],
  counters: boolean,
): Promise<{ ms: number; statusMs: number }> {
  const started = performance.now();
  await client.query("begin");
  try {
    const moveStatus = `update documents set status = 'sending', updated_at = now() -- lint-documents-ignore: benchmark of the counters
       where portal_id = $1 and dossier_id = $2 and id = any($3::uuid[]) and status = 'inbox' and archived_at is null
       returning id`;
    const statusStarted = performance.now();
    const moved = await client.query<{ id: string }>(
      counters
        ? `with moved as (${moveStatus}),
             counted as (update bench_document_counts c set n = c.n + d.sign * (select count(*) from moved)::int
               from (values ('inbox'::document_status, -1), ('sending'::document_status, 1)) as d(status, sign)
               where c.dossier_id = $2 and c.status = d.status and not c.archived)
           select id from moved`
        : moveStatus,
      [s.portalId, s.bigId, ids],
    );
    const statusMs = performance.now() - statusStarted;
    if (moved.rowCount !== ids.length) throw new Error(`moved ${moved.rowCount} of ${ids.length}`);
    await client.query(
      `insert into dispatches (portal_id, dossier_id, document_id, trigger, status, target)
       select $1, $2, id, 'bulk', 'queued', '{"channel":"email","to":"aankoop@boekhouder.example"}'::jsonb
       from unnest($3::uuid[]) as id`,
      [s.portalId, s.bigId, ids],
    );
    await client.query(
      `insert into document_events (portal_id, dossier_id, document_id, kind, from_status, to_status, actor_kind, occurred_at)
       select $1, $2, id, 'send_requested', 'inbox', 'sending', 'system', now() from unnest($3::uuid[]) as id`,
      [s.portalId, s.bigId, ids],
    );
    await client.query("commit");
    return { ms: performance.now() - started, statusMs };
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

/** Puts the documents back in the inbox (and the counters with them), untimed. */
async function reset(client: pg.Client, s: { bigId: string }, ids: string[]): Promise<void> {
  await client.query(`delete from document_events where document_id = any($1::uuid[])`, [ids]);
  await client.query(`delete from dispatches where document_id = any($1::uuid[])`, [ids]);
  await client.query(
    `update documents set status = 'inbox' where id = any($1::uuid[]) -- lint-documents-ignore: benchmark reset`,
    [ids],
  );
  await client.query(
    `update bench_document_counts c set n = k.n from (select status, count(*)::int as n from documents
       where dossier_id = $1 and archived_at is null group by status) as k
     where c.dossier_id = $1 and c.status = k.status and not c.archived`,
    [s.bigId],
  );
}

export async function benchCounts(): Promise<void> {
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `koppel_perfdb_counts_${process.pid}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const first = new pg.Client({ connectionString: databaseUrl });
  const second = new pg.Client({ connectionString: databaseUrl });
  try {
    const migrated = await openDb({ url: databaseUrl });
    await migrated.close();
    await first.connect();
    await second.connect();
    const seedStarted = performance.now();
    const s = await seed(first);
    console.log(
      `[counts] seeded ${BIG.toLocaleString("en")} + ${SMALL_DOSSIERS} × ${SMALL} documents in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    // 2. Reads, alternated so drift hits both alike.
    const indexOnly: number[] = [];
    const counter: number[] = [];
    const kept: number[] = [];
    // The seed's statements left a few change rows: folded, as the app's first read would.
    await first.query(
      `with folded as (delete from document_counts where dossier_id = $1 returning status, is_archived, n)
       insert into document_counts (portal_id, dossier_id, status, is_archived, n)
       select $2::uuid, $1::uuid, status, is_archived, sum(n) from folded group by status, is_archived having sum(n) <> 0`,
      [s.bigId, s.portalId],
    );
    for (let i = 0; i < READ_RUNS + 3; i++) {
      const a = await timed(() => first.query(TAB_COUNTS, [s.portalId, s.bigId]));
      const b = await timed(() => first.query(COUNTER_READ, [s.bigId]));
      const c = await timed(() => first.query(KEPT_READ, [s.portalId, [s.bigId]]));
      if (i < 3) continue;
      indexOnly.push(a);
      counter.push(b);
      kept.push(c);
    }
    const plan = await first.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers, costs off) ${TAB_COUNTS}`, [
      s.portalId,
      s.bigId,
    ]);
    const planText = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    const buffers = /Buffers: shared (?:hit=(\d+))?(?: read=(\d+))?/.exec(planText);
    const scan = /Index Only Scan using (\w+)/.exec(planText)?.[1] ?? "no index-only scan";
    console.log(
      `bench counts-read index_only_p50_ms=${ms(median(indexOnly))} index_only_p95_ms=${ms(p95(indexOnly))} counter_p50_ms=${ms(median(counter))} counter_p95_ms=${ms(p95(counter))} kept_p50_ms=${ms(median(kept))} kept_p95_ms=${ms(p95(kept))} buffers=${Number(buffers?.[1] ?? 0) + Number(buffers?.[2] ?? 0)} scan=${scan} load=${load()}`,
    );

    // 3. One bulk send of 1,000, without and with counters, alternated.
    const { rows: inbox } = await first.query<{ id: string }>(
      `select id from documents where dossier_id = $1 and status = 'inbox' and archived_at is null order by created_at desc limit ${2 * BULK}`,
      [s.bigId],
    );
    if (inbox.length < 2 * BULK) throw new Error(`only ${inbox.length} inbox documents`);
    const batchA = inbox.slice(0, BULK).map((row) => row.id);
    const batchB = inbox.slice(BULK).map((row) => row.id);
    const base: number[] = [];
    const withCounters: number[] = [];
    for (let i = 0; i < BULK_RUNS + 1; i++) {
      const a = await bulkSend(first, s, batchA, false);
      await reset(first, s, batchA);
      const b = await bulkSend(first, s, batchA, true);
      await reset(first, s, batchA);
      if (i === 0) continue;
      base.push(a.ms);
      withCounters.push(b.ms);
    }
    const baseMs = median(base);
    const countersMs = median(withCounters);
    console.log(
      `bench counts-bulk-send ratio=${(countersMs / baseMs).toFixed(2)} base_ms=${ms(baseMs)} counters_ms=${ms(countersMs)} added_ms=${ms(countersMs - baseMs)} documents=${BULK} load=${load()}`,
    );

    // 4. Two bulk sends in the same dossier at once, each of its own 1,000 documents.
    const concurrent = async (counters: boolean) => {
      const started = performance.now();
      const [one, two] = await Promise.all([
        bulkSend(first, s, batchA, counters),
        bulkSend(second, s, batchB, counters),
      ]);
      const wall = performance.now() - started;
      await reset(first, s, [...batchA, ...batchB]);
      return { wall, statusMs: Math.max(one.statusMs, two.statusMs) };
    };
    const baseWall: number[] = [];
    const countersWall: number[] = [];
    const baseStatus: number[] = [];
    const countersStatus: number[] = [];
    for (let i = 0; i < BULK_RUNS + 1; i++) {
      const a = await concurrent(false);
      const b = await concurrent(true);
      if (i === 0) continue;
      baseWall.push(a.wall);
      countersWall.push(b.wall);
      baseStatus.push(a.statusMs);
      countersStatus.push(b.statusMs);
    }
    console.log(
      `bench counts-concurrent ratio=${(median(countersWall) / median(baseWall)).toFixed(2)} base_wall_ms=${ms(median(baseWall))} counters_wall_ms=${ms(median(countersWall))} base_status_ms=${ms(median(baseStatus))} counters_status_ms=${ms(median(countersStatus))} lock_wait_ms=${ms(median(countersStatus) - median(baseStatus))} load=${load()}`,
    );
  } finally {
    await first.end().catch(() => {});
    await second.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}
