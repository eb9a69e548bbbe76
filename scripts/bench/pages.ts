/**
 * Case `pages` — every main page of an office with a million documents, over HTTP, against the
 * production build (`npm run bench -- pages [--layout=time|dossier] [--smoke]`).
 *
 * 1. Creates a PostgreSQL database of its own on the local server (BENCH_PG_URL, default
 *    postgres://postgres@127.0.0.1:5432/postgres; the database is named koppel_perfdb_bench_<pid>
 *    and dropped at the end, also after an error) and applies the migrations.
 * 2. Seeds it set-based (generate_series, one statement per table): an office of 5,000 dossiers
 *    and 1,000,000 documents, one dossier ("Aannemer Groot BV", on the overview's first page) with
 *    100,000 of them; 94% of the documents have a dispatch, attempts are about 1.1 per dispatch,
 *    6% of the documents failed or were rejected, one failure (file_missing) is the rare group.
 *    The documents span 25 months, so a month holds about 40,000 attempts. `--layout=time` (the
 *    default) writes the rows in time order as a live system fills up, dossiers interleaved;
 *    `--layout=dossier` writes them dossier after dossier. Then `vacuum analyze` (what autovacuum
 *    would have done on a live database). `--smoke`: 200 dossiers and 20,000 documents, few runs.
 *    `--keep-db` leaves the database for EXPLAIN afterwards (and says how to drop it); `--db=<name>`
 *    seeds into that database when it does not exist yet and keeps it, or reuses it as it is (the
 *    migrations are applied either way), so later runs skip the minutes of seeding. `--only=a,b`
 *    requests only the pages whose names start with those (`delivery-log-year` for the year);
 *    `--runs=<n>` times n requests per HTML page instead of 20.
 *    `--cpu-prof=<dir>` runs the server with `node --cpu-prof` into that folder and, once it has
 *    stopped, prints where its CPU time went per request (scripts/bench/cpu-profile.ts); the
 *    profile spans the whole run, start-up included, so pair it with `--only=<page>`.
 * 3. Starts `next start` on the build in .next (runs `next build` when there is none) against that
 *    database, with a session cookie for an accountant of the office (an Auth.js session token
 *    signed with the server's AUTH_SECRET, exactly what signing in sets).
 * 4. Requests each page (warm-ups, then RUNS timed requests, to the last byte of the body) and, in
 *    between, runs the raw SQL that page needs (PAGE_SQL below, through node-postgres on its own
 *    connection, timed directly). Prints per page
 *    `bench page-<name> p95_ms=<n> sql_ms=<n> ratio=<n> html_kb=<n>` (sql_ms the p95 of the SQL,
 *    ratio = p95_ms ÷ sql_ms, html_kb the body's size, cpu_ms the CPU time `next start` spent per
 *    request, user + system from /proc, which the machine's other work hardly moves; 10 ms ticks,
 *    so an average over the runs) and `bench pages p95_ms=<n> worst=<name>`
 *    (p95 over every request of every page, and the page with the highest p95), then how long the
 *    whole run took. Goals (issue 19): p95 ≤ 100 ms per page and ≤ max(1.5 × sql, sql + 25 ms).
 *    The delivery log's lines add the p95 time to its first byte. Its month is downloaded as a
 *    browser does (gzip, which fetch undoes; html_kb is the CSV's own size) and uncompressed
 *    (`delivery-log-month-uncompressed`): the difference is what `next start`'s gzip costs. A
 *    last line downloads 12 months of it three times:
 *    `bench delivery-log-year first_byte_ms=… total_ms=… rss_growth_mb=…` (the largest growth of
 *    the server's peak resident memory, VmHWM, over a download; goal ≤ 32 MB).
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { openDb } from "@/db";
import { encodeDocumentCursor } from "@/lib/documents/schemas";
import { processTree } from "../lib/next-instance";
import { printCpuSummary, summarizeCpuProfile } from "./cpu-profile";
import { ensureBuild, type NextServer, processTreeCpuMs, startNextServer } from "./production";

type Options = {
  layout: "time" | "dossier";
  smoke: boolean;
  keepDb: boolean;
  db: string | null;
  only: string[] | null;
  cpuProfDir: string | null;
  /** Timed requests per HTML page (`--runs=<n>`); null for the size's default. */
  runs: number | null;
};

const SESSION_COOKIE = "authjs.session-token";

export function parsePagesOptions(args: readonly string[]): Options {
  const layoutArg = args.find((arg) => arg.startsWith("--layout="))?.slice("--layout=".length) ?? "time";
  if (layoutArg !== "time" && layoutArg !== "dossier") throw new Error(`--layout=${layoutArg}: time or dossier`);
  const db = args.find((arg) => arg.startsWith("--db="))?.slice("--db=".length) ?? null;
  if (db !== null && !/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`--db=${db}: a plain database name`);
  const only =
    args
      .find((arg) => arg.startsWith("--only="))
      ?.slice("--only=".length)
      .split(",")
      .filter(Boolean) ?? null;
  const runsArg = args.find((arg) => arg.startsWith("--runs="))?.slice("--runs=".length);
  if (runsArg !== undefined && !/^[1-9]\d{0,4}$/.test(runsArg))
    throw new Error(`--runs=${runsArg}: a count of requests`);
  return {
    layout: layoutArg,
    smoke: args.includes("--smoke"),
    keepDb: args.includes("--keep-db") || db !== null,
    db,
    only,
    cpuProfDir: args.find((arg) => arg.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length) || null,
    runs: runsArg === undefined ? null : Number(runsArg),
  };
}

function sizes(smoke: boolean) {
  return smoke
    ? { dossiers: 200, documents: 20_000, big: 2_000, runs: 5, warmUp: 2, csvRuns: 3 }
    : { dossiers: 5_000, documents: 1_000_000, big: 100_000, runs: 20, warmUp: 3, csvRuns: 7 };
}

const log = (message: string) => console.log(`[pages] ${message}`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * The office, set-based. Document g (1…N) is created at start + g steps (25 months in all); every
 * BIG_EVERY-th one belongs to the big dossier, the others to a dossier picked by a hash of g. The
 * status comes from another hash of g, so it does not follow the dossier.
 */
async function seed(client: pg.Client, options: Options): Promise<Seeded> {
  const size = sizes(options.smoke);
  const bigEvery = Math.round(size.documents / size.big);
  await client.query("set synchronous_commit = off");
  await client.query("set maintenance_work_mem = '256MB'");
  const {
    rows: [portal],
  } = await client.query<{ id: string }>(`insert into portals (name) values ('Kantoor Bench') returning id`);
  if (!portal) throw new Error("no portal");
  const {
    rows: [user],
  } = await client.query<{ id: string }>(
    `insert into users (email, name) values ('accountant@bench.koppel.example', 'Bench accountant') returning id`,
  );
  if (!user) throw new Error("no user");
  await client.query(`insert into portal_members (portal_id, user_id, role) values ($1, $2, 'accountant')`, [
    portal.id,
    user.id,
  ]);
  // Dossier 1 is the big one, named to sort first on the overview.
  await client.query(
    `insert into dossiers (portal_id, name, company_number)
     select $1::uuid, case when i = 1 then 'Aannemer Groot BV' else 'Dossier ' || lpad(i::text, 5, '0') || ' BV' end,
       lpad((400000000 + i * 7)::text, 10, '0')
     from generate_series(1, $2::int) as i`,
    [portal.id, size.dossiers],
  );
  await client.query(
    `create temp table bench_dossiers as
     select row_number() over (order by company_number) as n, id from dossiers where portal_id = $1`,
    [portal.id],
  );
  await client.query(`create index on bench_dossiers (n)`);
  await client.query(
    `insert into dossier_integrations (portal_id, dossier_id, kind, settings)
     select $1::uuid, id, 'free_email',
       '{"addresses":{"purchase":"aankoop@boekhouder.example","sales":"verkoop@boekhouder.example","other":"overige@boekhouder.example"}}'::jsonb
     from bench_dossiers`,
    [portal.id],
  );

  // Bulk load as a restore does it: the secondary indexes of the three big tables are dropped and
  // built again after the rows are in, and the foreign-key triggers are off (the rows are
  // consistent by construction). Several times faster on a small machine.
  const { rows: secondaryIndexes } = await client.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes
     where schemaname = 'public' and tablename in ('documents', 'dispatches', 'attempts')
       and indexname not in (select conname from pg_constraint)`,
  );
  for (const { indexname } of secondaryIndexes) await client.query(`drop index "${indexname}"`);
  await client.query("set session_replication_role = replica");

  // documents.failure_group (migration 0014): seeded as lib/documents/life.ts stores it, when the
  // schema has it (the bench also runs on the code from before it).
  const {
    rows: [hasFailureGroup],
  } = await client.query<{ exists: boolean }>(
    `select exists (select 1 from information_schema.columns where table_name = 'documents' and column_name = 'failure_group')`,
  );
  const failureGroup = hasFailureGroup?.exists
    ? {
        column: ", failure_group",
        value: `, case when s.status = 'rejected' then 'package_refusal' when s.status = 'failed' then
            (array['unreachable','unreachable','settings','reauth'])[1 + g % 4] end`,
        rare: ", failure_group = 'file'",
      }
    : { column: "", value: "", rare: "" };

  let started = performance.now();
  // Status mix (h = a hash of g mod 100): 1 unrecognised inbox, 5 inbox, 60 sent, 28 sent and
  // archived, 4 failed, 2 rejected. Failed codes: half timeout, a quarter invalid_settings, a
  // quarter auth_failed; the one file_missing is set afterwards (the rare group).
  await client.query(
    `insert into documents ( -- lint-documents-ignore: benchmark fixtures
       portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, document_type,
       recognised_fields, status, archived_at, sent_at, imported_at, package_reference, last_error_code, last_error_reason,
       created_at, updated_at${failureGroup.column})
     select $1::uuid, d.id, 'upload', 'factuur-' || g || '.pdf', 'application/pdf', 80000 + g % 50000,
       md5(g::text) || md5((g + 1)::text), 'bench/' || g,
       case when h < 1 then null else (array['purchase_invoice','sales_invoice','receipt','other','purchase_credit_note'])[1 + g % 5]::document_type end,
       case when h < 1 then '{}'::jsonb else jsonb_build_object('supplierName', 'Leverancier ' || (g % 997), 'invoiceNumber', 'F-' || g,
         'invoiceDate', to_char(t.at, 'YYYY-MM-DD'), 'totalAmount', round((g % 10000) * 1.37, 2), 'currency', 'EUR') end,
       s.status::document_status,
       case when h between 66 and 93 then t.at + interval '40 days' end,
       case when s.status in ('sent', 'rejected') then t.at + interval '2 minutes' end,
       case when s.status = 'sent' and g % 3 = 0 then t.at + interval '1 hour' end,
       case when s.status in ('sent', 'rejected') then 'REF-' || g end,
       case when s.status = 'failed' then (array['timeout','timeout','invalid_settings','auth_failed'])[1 + g % 4]
            when s.status = 'rejected' then 'package_refused' end,
       case when s.status = 'failed' then 'documents.errors.bench' when s.status = 'rejected' then 'Geweigerd door het pakket: ' || g end,
       t.at, case when s.status in ('failed', 'rejected') then t.at + interval '3 minutes' else t.at + interval '2 minutes' end
       ${failureGroup.value}
     from generate_series(1, $2::int) as g
       cross join lateral (select ((hashint4(g * 31 + 7)::bigint & 2147483647) % 100)::int as h,
         case when g % $3::int = 0 then 1 else 2 + (hashint4(g) & 2147483647) % ($4::int - 1) end as dossier_n,
         now() - interval '25 months' + (g::float8 / $2::int) * interval '25 months' - interval '1 day' as at) as t
       cross join lateral (select case when t.h < 6 then 'inbox' when t.h < 94 then 'sent' when t.h < 98 then 'failed'
         else 'rejected' end as status) as s
       join bench_dossiers d on d.n = t.dossier_n
     order by ${options.layout === "dossier" ? "t.dossier_n, g" : "g"}`,
    [portal.id, size.documents, bigEvery, size.dossiers],
  );
  log(`documents: ${seconds(started)}`);
  await client.query(
    `update documents set last_error_code = 'file_missing', last_error_reason = 'documents.errors.bench'${failureGroup.rare} -- lint-documents-ignore: benchmark fixtures
     where id = (select id from documents where portal_id = $1 and status = 'failed' order by created_at desc limit 1 offset 7)`,
    [portal.id],
  );

  started = performance.now();
  // A dispatch per document that was ever sent (all but the inbox), in the documents' order.
  await client.query(
    `insert into dispatches (portal_id, dossier_id, document_id, trigger, status, target, attempt_count, package_reference,
       finished_at, created_at, updated_at)
     select portal_id, dossier_id, id, (array['auto','manual','bulk']::dispatch_trigger[])[1 + abs(hashtext(id::text)) % 3],
       case when status = 'failed' then 'failed' else 'succeeded' end::dispatch_status,
       jsonb_build_object('channel', 'email', 'packageId', null, 'category', 'purchase', 'to', 'aankoop@boekhouder.example'),
       case when status = 'failed' then 2 else 1 end, package_reference, created_at + interval '2 minutes',
       created_at + interval '1 minute', created_at + interval '2 minutes'
     from documents where portal_id = $1 and status <> 'inbox' order by created_at`,
    [portal.id],
  );
  log(`dispatches: ${seconds(started)}`);
  started = performance.now();
  // One attempt per dispatch, two for failed ones and for one in ten others (a retried hiccup).
  await client.query(
    `insert into attempts (portal_id, dispatch_id, document_id, number, trigger, connector, target, outcome, error_code,
       reason, package_reference, started_at, finished_at, dossier_id, file_name, requested_by_user_id)
     select p.portal_id, p.id, p.document_id, n, p.trigger, 'email', p.target,
       case when n < tries then 'retryable_error' when p.status = 'failed' then 'permanent_error' else 'succeeded' end::attempt_outcome,
       case when n < tries then 'timeout' when p.status = 'failed' then 'invalid_settings' end,
       case when n < tries or p.status = 'failed' then 'documents.errors.bench' end,
       case when n = tries and p.status = 'succeeded' then p.package_reference end,
       p.created_at + (n - 1) * interval '30 seconds', p.created_at + (n - 1) * interval '30 seconds' + interval '800 milliseconds',
       p.dossier_id, d.file_name, p.requested_by_user_id
     from dispatches p
       join documents d on d.id = p.document_id
       cross join lateral (select case when p.status = 'failed' or abs(hashtext(p.id::text)) % 10 = 0 then 2 else 1 end as tries) as k
       cross join lateral generate_series(1, k.tries) as n
     where p.portal_id = $1
     order by p.created_at, n`,
    [portal.id],
  );
  log(`attempts: ${seconds(started)}`);
  await client.query("set session_replication_role = origin");
  // The triggers that keep the counts were off with the rest (replica role): count once, as the
  // migration that brought them does.
  started = performance.now();
  await client.query(
    `insert into document_counts (portal_id, dossier_id, status, is_archived, n)
     select portal_id, dossier_id, status, archived_at is not null, count(*)::int from documents group by 1, 2, 3, 4`,
  );
  log(`document counts: ${seconds(started)}`);
  started = performance.now();
  for (const { indexdef } of secondaryIndexes) await client.query(indexdef);
  log(`${secondaryIndexes.length} indexes: ${seconds(started)}`);
  started = performance.now();
  await client.query("vacuum analyze");
  log(`vacuum analyze: ${seconds(started)}`);
  return describeSeeded(client, options);
}

/**
 * What the pages ask for, found in a seeded database (just seeded, or kept from an earlier run
 * and reused with `--db=<name>`): the office, its accountant, the big dossier and so on.
 */
async function describeSeeded(client: pg.Client, options: Options): Promise<Seeded> {
  const size = sizes(options.smoke);
  const {
    rows: [portal],
  } = await client.query<{ id: string }>(`select id from portals where name = 'Kantoor Bench'`);
  const {
    rows: [user],
  } = await client.query<{ id: string }>(`select id from users where email = 'accountant@bench.koppel.example'`);
  const {
    rows: [big],
  } = await client.query<{ id: string }>(`select id from dossiers where name = 'Aannemer Groot BV'`);
  if (!portal || !user || !big) throw new Error("not a seeded bench database");
  const {
    rows: [hasFailureGroup],
  } = await client.query<{ exists: boolean }>(
    `select exists (select 1 from information_schema.columns where table_name = 'documents' and column_name = 'failure_group')`,
  );
  const {
    rows: [counts],
  } = await client.query<{ documents: string; dispatches: string; attempts: string; big: string; failures: string }>(
    `select (select count(*) from documents) as documents, (select count(*) from dispatches) as dispatches,
       (select count(*) from attempts) as attempts, (select count(*) from documents where dossier_id = $1) as big,
       (select count(*) from documents where status in ('failed', 'rejected')) as failures`,
    [big.id],
  );
  log(
    `office: ${size.dossiers} dossiers, ${counts?.documents} documents (big dossier ${counts?.big}), ${counts?.dispatches} dispatches, ${counts?.attempts} attempts, ${counts?.failures} failed or rejected`,
  );
  // A document of the big dossier with some history, and a deep page of its Sent tab.
  const {
    rows: [document],
  } = await client.query<{ id: string }>(
    `select id from documents where dossier_id = $1 and status = 'sent' order by created_at desc limit 1 offset 500`,
    [big.id],
  );
  if (!document) throw new Error("no document");
  await client.query(
    `insert into document_events (portal_id, dossier_id, document_id, kind, from_status, to_status, actor_kind, occurred_at)
     select $1, $2, $3, k.kind::document_event_kind, k.from_status::document_status, k.to_status::document_status, 'system', now()
     from (values ('received', null, 'inbox'), ('recognised', 'inbox', 'inbox'), ('send_requested', 'inbox', 'sending'),
       ('delivered', 'sending', 'sent')) as k(kind, from_status, to_status)
     where not exists (select 1 from document_events where document_id = $3)`,
    [portal.id, big.id, document.id],
  );
  const deepSent = await client.query<{ id: string; key: string }>(
    `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key
     from documents where dossier_id = $1 and archived_at is null and status = 'sent'
     order by created_at desc, id desc offset $2 limit 1`,
    [big.id, Math.floor(size.big * 0.5)],
  );
  const deep = deepSent.rows[0];
  if (!deep) throw new Error("no deep page");
  const statusIds = await client.query<{ id: string }>(
    `select id from documents where dossier_id = $1 and archived_at is null and status in ('inbox', 'sending')
     order by created_at desc limit 50`,
    [big.id],
  );
  // A month a year back, all of it inside the seeded span.
  const month = new Date();
  month.setUTCDate(1);
  month.setUTCMonth(month.getUTCMonth() - 12);
  const from = month.toISOString().slice(0, 10);
  const last = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0));
  const to = last.toISOString().slice(0, 10);
  // The 12 whole months before this one.
  const yearStart = new Date();
  yearStart.setUTCDate(1);
  yearStart.setUTCMonth(yearStart.getUTCMonth() - 12);
  const yearEnd = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 0));
  return {
    year: { from: yearStart.toISOString().slice(0, 10), to: yearEnd.toISOString().slice(0, 10) },
    portalId: portal.id,
    hasFailureGroup: Boolean(hasFailureGroup?.exists),
    userId: user.id,
    bigDossierId: big.id,
    documentId: document.id,
    deepCursor: encodeDocumentCursor({ tab: "sent", key: deep.key, id: deep.id }),
    deepKey: deep.key,
    deepId: deep.id,
    statusIds: statusIds.rows.map((row) => row.id),
    month: { from, to },
    overviewDeepPage: Math.max(2, Math.floor(size.dossiers / 25 / 2)),
  };
}

type Seeded = {
  portalId: string;
  /** The schema has documents.failure_group (migration 0014). */
  hasFailureGroup: boolean;
  userId: string;
  bigDossierId: string;
  documentId: string;
  deepCursor: string;
  deepKey: string;
  deepId: string;
  statusIds: string[];
  month: { from: string; to: string };
  year: { from: string; to: string };
  overviewDeepPage: number;
};

type SqlStep = { text: string; values: unknown[] };
/** `headers`: sent with the page's requests besides the session cookie. */
type Page = { name: string; url: string; sql: SqlStep[]; runs?: number; headers?: Record<string, string> };

const MEMBERSHIPS: (s: Seeded) => SqlStep[] = (s) => [
  { text: `select id, email, name from users where id = $1`, values: [s.userId] },
  { text: `select portal_id, role from portal_members where user_id = $1`, values: [s.userId] },
  { text: `select dossier_id, role from dossier_members where user_id = $1`, values: [s.userId] },
];

/** The dossier's header and integration, as the dossier pages show them. */
const DOSSIER: (s: Seeded) => SqlStep[] = (s) => [
  {
    text: `select d.id, d.portal_id, d.name, d.company_number, d.vat_number, d.is_auto_send_enabled, i.kind, i.settings, c.status
      from dossiers d left join dossier_integrations i on i.dossier_id = d.id and i.portal_id = d.portal_id
      left join connections c on c.id = i.connection_id where d.id = $1 and d.portal_id = $2`,
    values: [s.bigDossierId, s.portalId],
  },
];

/** The tab counts of a dossier: what the app runs for them (its kept counts, lib/documents/counts.ts). */
const TAB_COUNTS = (s: Seeded): SqlStep => ({
  text: `select dossier_id, status, is_archived, sum(n)::int, count(*)::int from document_counts
    where portal_id = $1 and dossier_id = any($2::uuid[]) group by 1, 2, 3`,
  values: [s.portalId, [s.bigDossierId]],
});

const LIST_COLUMNS = `id, file_name, document_type, status, created_at, archived_at, recognised_fields->>'invoiceDate',
  recognised_fields->>'supplierName', recognised_fields->>'totalAmount', recognised_fields->>'currency', last_error_reason,
  mime_type, auto_send_skip_reason, imported_at, possible_duplicate_of, last_error_code`;

function tabPageSql(s: Seeded, tab: string, after: { key: string; id: string } | null): SqlStep {
  const keyset = after ? `and (created_at, id) < ($3::timestamptz, $4::uuid)` : "";
  const values = after ? [s.portalId, s.bigDossierId, after.key, after.id] : [s.portalId, s.bigDossierId];
  if (tab === "archived") {
    return {
      text: `select ${LIST_COLUMNS} from documents where portal_id = $1 and dossier_id = $2 and archived_at is not null
        order by archived_at desc nulls last, id desc nulls last limit 51`,
      values,
    };
  }
  const statuses = tab === "inbox" ? ["inbox", "sending"] : [tab];
  const slices = statuses.map(
    (status) =>
      `(select ${LIST_COLUMNS} from documents where portal_id = $1 and dossier_id = $2 and archived_at is null
        and status = '${status}' ${keyset} order by created_at desc nulls last, id desc nulls last limit 51)`,
  );
  return {
    text: `select * from (${slices.join(" union all ")}) as s order by created_at desc, id desc limit 51`,
    values,
  };
}

function dossierTabSql(s: Seeded, tab: string, after: { key: string; id: string } | null = null): SqlStep[] {
  return [...MEMBERSHIPS(s), ...DOSSIER(s), tabPageSql(s, tab, after), TAB_COUNTS(s)];
}

function overviewSql(s: Seeded, options: { query?: string; page?: number }): SqlStep[] {
  const search = options.query ? `and (name ilike $2 or company_number like $2)` : "";
  const values: unknown[] = options.query ? [s.portalId, `%${options.query}%`] : [s.portalId];
  const offset = ((options.page ?? 1) - 1) * 25;
  return [
    ...MEMBERSHIPS(s),
    { text: `select id, name from portals where id = $1`, values: [s.portalId] },
    { text: `select count(*) from dossiers where portal_id = $1 ${search}`, values },
    {
      // The page's dossiers and, in the same statement, their counts (the app runs them as two).
      text: `with page as (select d.id, d.name, d.company_number, d.vat_number, i.kind, i.settings, c.status
          from dossiers d left join dossier_integrations i on i.dossier_id = d.id and i.portal_id = d.portal_id
          left join connections c on c.id = i.connection_id and c.portal_id = d.portal_id
          where d.portal_id = $1 ${search} order by d.name, d.id limit 25 offset ${offset})
        select p.*, (select json_agg(x) from (select status, is_archived, sum(n) as n
          from document_counts where portal_id = $1 and dossier_id = p.id group by 1, 2) as x) from page p`,
      values,
    },
    // The onboarding checklist: does the office have a connection, a colleague, a client?
    {
      text: `select (select count(*) from connections where portal_id = $1), (select count(*) from portal_members where portal_id = $1),
        (select id from dossiers where portal_id = $1 order by created_at limit 1)`,
      values: [s.portalId],
    },
  ];
}

/**
 * The failure queue: the counts per group, then each group's first rows (or one group's page).
 * With the stored group (migration 0014) as the app reads it: the stored groups counted, the
 * failures of dossiers whose connection needs re-authorisation or is disabled counted apart, and a
 * group's rows from its range of the group index; before it, the CASE over every failure.
 */
function failuresSql(s: Seeded, group: string | null): SqlStep[] {
  const head = [...MEMBERSHIPS(s), { text: `select id, name from portals where id = $1`, values: [s.portalId] }];
  const rowsFrom = (condition: string, limit: number) => ({
    text: `select d.id, d.dossier_id, o.name, o.company_number, d.file_name, d.status, d.last_error_code, d.last_error_reason, d.updated_at
      from documents d join dossiers o on o.id = d.dossier_id and o.portal_id = d.portal_id
      where d.portal_id = $1 and d.status in ('failed', 'rejected') and d.archived_at is null and ${condition}
      order by d.updated_at desc, d.id desc limit ${limit}`,
    values: [s.portalId],
  });
  const groups = ["package_refusal", "file", "reauth", "settings", "unreachable"];
  const shown = group ? [group] : groups;
  const limit = group ? 26 : 6;
  if (s.hasFailureGroup) {
    return [
      ...head,
      {
        text: `select failure_group, status, count(*) from documents
          where portal_id = $1 and status in ('failed', 'rejected') and archived_at is null group by 1, 2`,
        values: [s.portalId],
      },
      {
        text: `select d.failure_group, c.status, count(*) from connections c
          join dossier_integrations i on i.connection_id = c.id and i.portal_id = c.portal_id
          join documents d on d.dossier_id = i.dossier_id and d.portal_id = c.portal_id
          where c.portal_id = $1 and c.status in ('needs_reauth', 'disabled') and d.status = 'failed' and d.archived_at is null
            and d.failure_group not in ('package_refusal', 'file') group by 1, 2`,
        values: [s.portalId],
      },
      ...shown.map((name) => rowsFrom(`d.failure_group = '${name}'`, limit)),
    ];
  }
  const byCode: Record<string, string> = {
    package_refusal: `d.status = 'rejected'`,
    file: `d.status = 'failed' and d.last_error_code = 'file_missing'`,
    reauth: `d.status = 'failed' and d.last_error_code = 'auth_failed'`,
    settings: `d.status = 'failed' and d.last_error_code = 'invalid_settings'`,
    unreachable: `d.status = 'failed' and d.last_error_code = 'timeout'`,
  };
  return [
    ...head,
    {
      text: `select case when status = 'rejected' then 'package_refusal'
          when last_error_code in ('file_missing','not_recognised','not_found','archived','already_sent','already_sending','possible_duplicate') then 'file'
          when last_error_code in ('auth_failed','not_authorised','login_failed','connection_needs_reauth') then 'reauth'
          when last_error_code in ('invalid_settings','missing_address') then 'settings' else 'unreachable' end as g, status, count(*)
        from documents where portal_id = $1 and status in ('failed', 'rejected') and archived_at is null group by 1, 2`,
      values: [s.portalId],
    },
    ...shown.map((name) => rowsFrom(byCode[name] ?? "false", limit)),
  ];
}

function deliveryLogSql(s: Seeded): SqlStep[] {
  return [
    ...MEMBERSHIPS(s),
    {
      text: `select a.id, a.started_at, a.finished_at, o.name, o.company_number, a.document_id, a.file_name, a.connector, a.target,
          a.number, a.outcome, a.error_code, a.reason, a.package_reference, a.trigger, u.email
        from attempts a join dossiers o on o.id = a.dossier_id and o.portal_id = a.portal_id
        left join users u on u.id = a.requested_by_user_id
        where a.portal_id = $1 and a.started_at >= $2::date and a.started_at < $3::date + 1
        order by a.started_at, a.id`,
      values: [s.portalId, s.month.from, s.month.to],
    },
  ];
}

function pagesOf(s: Seeded, csvRuns: number): Page[] {
  const big = `/dossiers/${s.bigDossierId}`;
  const portal = `/portals/${s.portalId}`;
  const monthLog = {
    url: `/api/portals/${s.portalId}/delivery-log?from=${s.month.from}&to=${s.month.to}`,
    sql: deliveryLogSql(s),
    runs: csvRuns,
  };
  return [
    { name: "overview", url: portal, sql: overviewSql(s, {}) },
    { name: "overview-search", url: `${portal}?q=00042`, sql: overviewSql(s, { query: "00042" }) },
    {
      name: "overview-deep",
      url: `${portal}?page=${s.overviewDeepPage}`,
      sql: overviewSql(s, { page: s.overviewDeepPage }),
    },
    ...["inbox", "sent", "failed", "rejected", "archived"].map((tab) => ({
      name: `dossier-${tab}`,
      url: tab === "inbox" ? big : `${big}?tab=${tab}`,
      sql: dossierTabSql(s, tab),
    })),
    {
      name: "dossier-deep",
      url: `${big}?tab=sent&after=${s.deepCursor}`,
      sql: dossierTabSql(s, "sent", { key: s.deepKey, id: s.deepId }),
    },
    {
      name: "document",
      url: `${big}/documents/${s.documentId}`,
      sql: [
        ...MEMBERSHIPS(s),
        ...DOSSIER(s),
        { text: `select * from documents where id = $1 and portal_id = $2`, values: [s.documentId, s.portalId] },
        { text: `select * from document_events where document_id = $1 order by id`, values: [s.documentId] },
        { text: `select * from dispatches where document_id = $1 order by created_at`, values: [s.documentId] },
        { text: `select * from attempts where document_id = $1 order by started_at`, values: [s.documentId] },
      ],
    },
    { name: "failures", url: `${portal}/failures`, sql: failuresSql(s, null) },
    { name: "failures-rare", url: `${portal}/failures?group=file`, sql: failuresSql(s, "file") },
    { name: "delivery-log-month", ...monthLog },
    // The same download uncompressed: `next start` gzips text at zlib's level 6 (no setting, and a
    // route's own Content-Encoding is dropped), which is most of the server's CPU here.
    { name: "delivery-log-month-uncompressed", ...monthLog, headers: { "accept-encoding": "identity" } },
    {
      name: "status",
      url: `/api/dossiers/${s.bigDossierId}/documents/status?ids=${s.statusIds.join(",")}`,
      sql: [
        ...MEMBERSHIPS(s),
        ...DOSSIER(s),
        {
          text: `select id, status, document_type, archived_at, last_error_code, last_error_reason, auto_send_skip_reason,
            imported_at, possible_duplicate_of from documents where portal_id = $1 and dossier_id = $2 and id = any($3::uuid[])`,
          values: [s.portalId, s.bigDossierId, s.statusIds],
        },
      ],
    },
  ];
}

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
};

async function fetchToLastByte(
  base: string,
  url: string,
  cookie: string,
  headers: Record<string, string> = {},
): Promise<{ ms: number; firstByteMs: number; bytes: number; status: number }> {
  const started = performance.now();
  const response = await fetch(`${base}${url}`, { headers: { ...headers, cookie }, redirect: "manual" });
  let firstByteMs = Number.NaN;
  let bytes = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += chunk.byteLength;
    }
  }
  return { ms: performance.now() - started, firstByteMs, bytes, status: response.status };
}

/** A /proc/<pid>/status field in kB (VmRSS now, VmHWM the peak since the last reset); 0 when gone. */
function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The delivery log of the 12 seeded months before this one, downloaded YEAR_RUNS times (after the
 * month's runs warmed the server up): time to the first byte and the last, and how much the
 * server's memory grew. Growth per download is the kernel's peak resident memory (VmHWM, reset
 * before each download by writing 5 to /proc/<pid>/clear_refs, so no sampling can miss a peak)
 * minus the resident memory just before, summed over `next start` and its child processes. The
 * line gives every run's growth and the largest (goal ≤ 32 MB, reliably).
 */
const YEAR_RUNS = 3;

async function benchDeliveryLogYear(base: string, cookie: string, pid: number, s: Seeded): Promise<void> {
  if (!pid) return;
  const growths: number[] = [];
  let answer: Awaited<ReturnType<typeof fetchToLastByte>> | null = null;
  for (let run = 0; run < YEAR_RUNS; run++) {
    const tree = processTree(pid);
    const before = new Map(tree.map((id) => [id, statusKb(id, "VmRSS")]));
    for (const id of tree) {
      try {
        writeFileSync(`/proc/${id}/clear_refs`, "5");
      } catch {
        // Not ours to reset (or no /proc): the peak since start stands, an overestimate.
      }
    }
    answer = await fetchToLastByte(
      base,
      `/api/portals/${s.portalId}/delivery-log?from=${s.year.from}&to=${s.year.to}`,
      cookie,
    );
    if (answer.status !== 200) throw new Error(`delivery log of a year answered ${answer.status}`);
    growths.push(tree.reduce((sum, id) => sum + Math.max(0, statusKb(id, "VmHWM") - (before.get(id) ?? 0)), 0) / 1024);
  }
  if (!answer) return;
  console.log(
    `bench delivery-log-year first_byte_ms=${answer.firstByteMs.toFixed(1)} total_ms=${answer.ms.toFixed(0)} csv_mb=${(answer.bytes / 1024 / 1024).toFixed(1)} rss_growth_mb=${Math.max(...growths).toFixed(1)} runs_mb=${growths.map((growth) => growth.toFixed(1)).join("/")} from=${s.year.from} to=${s.year.to} load=${loadavg()
      .map((value) => value.toFixed(1))
      .join(" ")}`,
  );
}

async function timeSql(client: pg.Client, steps: SqlStep[]): Promise<number> {
  const started = performance.now();
  for (const step of steps) await client.query(step.text, step.values);
  return performance.now() - started;
}

/** The largest profile in the folder is the server's (the `next` launcher writes a small one too). */
function printServerCpuProfile(dir: string, requests: number): void {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => path.join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = files[0];
  if (!file) {
    log(`no .cpuprofile in ${dir}`);
    return;
  }
  log(`${file}: ${requests} requests (start-up and warm-ups included)`);
  printCpuSummary("server", summarizeCpuProfile(JSON.parse(readFileSync(file, "utf8")), requests));
}

export async function benchPages(args: readonly string[]): Promise<void> {
  const options = parsePagesOptions(args);
  const size = sizes(options.smoke);
  const startedAt = performance.now();
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = options.db ?? `koppel_perfdb_bench_${process.pid}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const {
    rows: [existing],
  } = await admin.query<{ exists: boolean }>(`select exists (select 1 from pg_database where datname = $1)`, [dbName]);
  const reuse = Boolean(existing?.exists);
  if (!reuse) await admin.query(`create database ${dbName}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-bench-pages-"));
  let server: NextServer | null = null;
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    log(`database ${dbName}, layout ${options.layout}${options.smoke ? ", smoke" : ""}`);
    const migrated = await openDb({ url: databaseUrl });
    await migrated.close();
    await client.connect();
    const seedStarted = performance.now();
    const seeded = reuse ? await describeSeeded(client, options) : await seed(client, options);
    log(reuse ? `reused the seeded database ${dbName}` : `seeded in ${seconds(seedStarted)}`);

    ensureBuild(log);
    const port = 3400 + (process.pid % 500);
    const authSecret = randomBytes(32).toString("base64url");
    server = await startNextServer({
      port,
      env: {
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: authSecret,
        APP_ENCRYPTION_KEY: `v1:${randomBytes(32).toString("base64")}`,
        KOPPEL_DATA_DIR: dataDir,
      },
      // Node refuses --cpu-prof in NODE_OPTIONS: it goes to the server's own node.
      nodeArgs: options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(options.cpuProfDir)}`] : [],
    });
    const base = server.baseUrl;
    const serverPid = server.pid;
    const token = await encode({
      token: { sub: seeded.userId, email: "accountant@bench.koppel.example", name: "Bench accountant" },
      secret: authSecret,
      salt: SESSION_COOKIE,
    });
    const cookie = `${SESSION_COOKIE}=${token}`;

    const all: number[] = [];
    let requests = 0;
    let worst = { name: "", p95: -1 };
    const wanted = (name: string) => !options.only || options.only.some((prefix) => name.startsWith(prefix));
    for (const page of pagesOf(seeded, size.csvRuns).filter((page) => wanted(page.name))) {
      const runs = page.runs ?? options.runs ?? size.runs;
      const http: number[] = [];
      const firstBytes: number[] = [];
      const sqlTimes: number[] = [];
      let bytes = 0;
      let serverCpuMs = 0;
      for (let i = 0; i < size.warmUp + runs; i++) {
        requests++;
        const cpuBefore = processTreeCpuMs(serverPid);
        const answer = await fetchToLastByte(base, page.url, cookie, page.headers);
        const cpuOfRequest = processTreeCpuMs(serverPid) - cpuBefore;
        if (answer.status !== 200) throw new Error(`${page.name}: ${page.url} answered ${answer.status}`);
        const sqlMs = await timeSql(client, page.sql);
        if (i < size.warmUp) continue;
        http.push(answer.ms);
        serverCpuMs += cpuOfRequest;
        firstBytes.push(answer.firstByteMs);
        sqlTimes.push(sqlMs);
        bytes = answer.bytes;
      }
      const pageP95 = p95(http);
      const sqlP95 = p95(sqlTimes);
      all.push(...http);
      if (pageP95 > worst.p95) worst = { name: page.name, p95: pageP95 };
      const firstByte = page.name.startsWith("delivery-log") ? ` first_byte_p95_ms=${p95(firstBytes).toFixed(1)}` : "";
      console.log(
        `bench page-${page.name} p95_ms=${pageP95.toFixed(1)} sql_ms=${sqlP95.toFixed(1)} ratio=${(pageP95 / sqlP95).toFixed(2)} html_kb=${(bytes / 1024).toFixed(1)} cpu_ms=${(serverCpuMs / runs).toFixed(1)}${firstByte}`,
      );
    }
    console.log(`bench pages p95_ms=${p95(all).toFixed(1)} worst=page-${worst.name}`);
    if (wanted("delivery-log-year")) await benchDeliveryLogYear(base, cookie, server.pid, seeded);
    if (options.cpuProfDir) {
      // node writes the profile as the server exits.
      await server.stop();
      printServerCpuProfile(options.cpuProfDir, requests);
    }
    // Other work on the machine moves every figure (the ratios less): say how busy it was.
    log(
      `done in ${seconds(startedAt)} (layout ${options.layout}${options.smoke ? ", smoke" : ""}; load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(" ")} on ${availableParallelism()} cores)`,
    );
  } finally {
    await server?.stop();
    await client.end().catch(() => {});
    if (options.keepDb) log(`kept database ${databaseUrl} (--keep-db): drop it with \`dropdb ${dbName}\``);
    else await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
