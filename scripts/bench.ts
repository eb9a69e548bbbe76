/**
 * Dossier document list at scale: `npm run bench`.
 *
 * Fills an in-memory PGlite with one dossier of 100,000 documents and one of 1,000, then times
 * the list's queries (first page, a deep page reached by cursor, the tab counts) on both and
 * prints big ÷ small. Keyset paging should keep the page ratios near 1; the counts read every
 * row of the dossier and grow with it. Ratios, not absolute times, are the point: they hold
 * across machines. Also prints the plans, to show the partial indexes at work.
 */
import { performance } from "node:perf_hooks";
import { type SQLWrapper, sql } from "drizzle-orm";
import { type Db, openDb } from "@/db";
import { dossiers, portals } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import {
  countDocumentsByTab,
  DOCUMENT_PAGE_SIZE,
  documentPageQuery,
  listDocuments,
  tabCountQuery,
} from "@/lib/documents/list";
import {
  type DocumentCursor,
  type DocumentTab,
  encodeDocumentCursor,
  type PageDirection,
} from "@/lib/documents/schemas";
import type { DossierScope } from "@/lib/dossiers/get";

const BIG = 100_000;
const SMALL = 1_000;
const RUNS = 31;
const WARM_UP = 3;
const actor = systemActor("bench");

/**
 * Inserts `count` documents in one generate_series statement. Of every 20 documents 11 are in
 * the inbox and 1 is sending (Inbox tab 60%: 1,200 pages at 100,000), 2 are sent, 2 sent and
 * archived, 2 failed and 2 rejected. created_at steps back 30 s per row with sub-second jitter,
 * and every 50th row shares its predecessor's timestamp so the id tie-break is exercised.
 */
async function insertDocuments(db: Db, scope: DossierScope, count: number): Promise<void> {
  await db.execute(sql`
    insert into documents (
      portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key,
      document_type, recognised_fields, status, archived_at, sent_at, last_error_reason, created_at, updated_at
    )
    select ${scope.portalId}::uuid, ${scope.dossierId}::uuid, 'upload', 'scan-' || g || '.pdf', 'application/pdf',
      100000 + g, md5(g::text) || md5(g::text), 'bench/' || g,
      case when g % 20 < 2 then null else (array['purchase_invoice', 'sales_invoice', 'receipt', 'other'])[1 + g % 4]::document_type end,
      jsonb_build_object('supplierName', 'Supplier ' || (g % 97), 'invoiceDate', to_char(t.ts, 'YYYY-MM-DD'),
        'totalAmount', round((g % 10000) * 1.37, 2), 'currency', 'EUR'),
      s.status::document_status,
      case when g % 20 in (14, 15) then t.ts + interval '2 days' end,
      case when s.status in ('sent', 'rejected') then t.ts + interval '5 minutes' end,
      case when s.status in ('failed', 'rejected') then 'Bench reason ' || g end,
      t.ts, t.ts
    from generate_series(1, ${count}) as g,
      lateral (select now() - (g - (g % 50 = 0)::int) * interval '30 seconds'
        - case when g % 50 = 0 then interval '0' else (g % 997) * interval '1 microsecond' end as ts) as t,
      lateral (select case
        when g % 20 < 11 then 'inbox' when g % 20 = 11 then 'sending' when g % 20 < 16 then 'sent'
        when g % 20 < 18 then 'failed' else 'rejected' end as status) as s
  `);
}

async function createDossier(db: Db, portalId: string, name: string, companyNumber: string): Promise<DossierScope> {
  const [row] = await db.insert(dossiers).values({ portalId, name, companyNumber }).returning({ id: dossiers.id });
  if (!row) throw new Error("dossier not created");
  return { portalId, dossierId: row.id };
}

/**
 * The cursor of the row that ends page `page` of a tab. Found with OFFSET here, in the bench
 * only, so the timed query starts from a realistic deep position without walking there first.
 */
async function cursorAtPage(db: Db, scope: DossierScope, tab: DocumentTab, page: number): Promise<DocumentCursor> {
  const sortColumn = tab === "archived" ? sql`archived_at` : sql`created_at`;
  const filter =
    tab === "archived"
      ? sql`archived_at is not null`
      : tab === "inbox"
        ? sql`archived_at is null and status in ('inbox', 'sending')`
        : sql`archived_at is null and status = ${tab}`;
  const result = await db.execute(sql`
    select id, to_char(${sortColumn} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as key
    from documents where dossier_id = ${scope.dossierId} and ${filter}
    order by ${sortColumn} desc, id desc offset ${page * DOCUMENT_PAGE_SIZE - 1} limit 1`);
  const row = (result as unknown as { rows: { id: string; key: string }[] }).rows[0];
  if (!row) throw new Error(`no page ${page} in ${tab}`);
  return { tab, key: row.key, id: row.id };
}

/** Medians of the two sides, run alternately so drift (GC, JIT, caches) hits both alike. */
async function medianPairMs(
  bigRun: () => Promise<unknown>,
  smallRun: () => Promise<unknown>,
): Promise<{ big: number; small: number }> {
  for (let i = 0; i < WARM_UP; i++) {
    await bigRun();
    await smallRun();
  }
  const times = { big: [] as number[], small: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const [side, run] of [
      ["big", bigRun],
      ["small", smallRun],
    ] as const) {
      const start = performance.now();
      await run();
      times[side].push(performance.now() - start);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { big: median(times.big), small: median(times.small) };
}

async function explain(db: Db, label: string, query: SQLWrapper): Promise<void> {
  const result = await db.execute(sql`explain (analyze, costs off, timing off, summary off) ${query}`);
  const lines = (result as unknown as { rows: Record<string, string>[] }).rows.map((row) => Object.values(row)[0]);
  console.log(`\n${label}`);
  for (const line of lines) console.log(`  ${line}`);
}

async function main() {
  const startedAt = performance.now();
  const { db, close } = await openDb({ pgliteDir: "memory://" });
  try {
    const [portal] = await db.insert(portals).values({ name: "Bench office" }).returning({ id: portals.id });
    if (!portal) throw new Error("portal not created");
    const big = await createDossier(db, portal.id, "Big dossier", "0401234567");
    const small = await createDossier(db, portal.id, "Small dossier", "0401234568");
    await insertDocuments(db, big, BIG);
    await insertDocuments(db, small, SMALL);
    // What autovacuum would have done by now on a live database.
    await db.execute(sql`vacuum analyze documents`);
    console.log(
      `Seeded ${BIG.toLocaleString("en")} + ${SMALL.toLocaleString("en")} documents in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (PGlite in memory, migrations included)`,
    );

    const bigCounts = await countDocumentsByTab(db, actor, { dossierId: big.dossierId });
    const smallCounts = await countDocumentsByTab(db, actor, { dossierId: small.dossierId });
    console.log(`Tab counts, big:   ${JSON.stringify(bigCounts)}`);
    console.log(`Tab counts, small: ${JSON.stringify(smallCounts)}`);

    // Deep = the same relative depth in both: Inbox page 1,000 of 1,200 (big) and 10 of 12 (small).
    const deepPage = (scope: DossierScope, tab: DocumentTab, counts: Record<DocumentTab, number>) =>
      cursorAtPage(db, scope, tab, Math.max(1, Math.floor((counts[tab] / DOCUMENT_PAGE_SIZE) * (1000 / 1200))));
    const deep = {
      big: { inbox: await deepPage(big, "inbox", bigCounts), archived: await deepPage(big, "archived", bigCounts) },
      small: {
        inbox: await deepPage(small, "inbox", smallCounts),
        archived: await deepPage(small, "archived", smallCounts),
      },
    };

    const page = (scope: DossierScope, tab: DocumentTab, cursor: DocumentCursor | null, direction: PageDirection) =>
      listDocuments(db, actor, { dossierId: scope.dossierId, tab, cursor, direction });
    type Which = "big" | "small";
    const cases: { label: string; run: (scope: DossierScope, which: Which) => Promise<unknown> }[] = [
      { label: "first page, Inbox (inbox + sending)", run: (s) => page(s, "inbox", null, "older") },
      { label: "first page, Sent", run: (s) => page(s, "sent", null, "older") },
      { label: "first page, Archived", run: (s) => page(s, "archived", null, "older") },
      { label: "deep page via ?after=, Inbox", run: (s, w) => page(s, "inbox", deep[w].inbox, "older") },
      { label: "deep page via ?before=, Inbox", run: (s, w) => page(s, "inbox", deep[w].inbox, "newer") },
      { label: "deep page via ?after=, Archived", run: (s, w) => page(s, "archived", deep[w].archived, "older") },
      {
        label: "tab counts (one grouped query)",
        run: (s) => countDocumentsByTab(db, actor, { dossierId: s.dossierId }),
      },
    ];

    console.log(`\nMedian of ${RUNS} runs after ${WARM_UP} warm-ups, service call included (dossier lookup + query)`);
    console.log(`${"query".padEnd(36)} ${"100k ms".padStart(9)} ${"1k ms".padStart(9)} ${"ratio".padStart(7)}`);
    for (const { label, run } of cases) {
      const { big: bigMs, small: smallMs } = await medianPairMs(
        () => run(big, "big"),
        () => run(small, "small"),
      );
      console.log(
        `${label.padEnd(36)} ${bigMs.toFixed(2).padStart(9)} ${smallMs.toFixed(2).padStart(9)} ${`${(bigMs / smallMs).toFixed(2)}x`.padStart(7)}`,
      );
    }

    // Plans on the big dossier: index scans with the keyset in the Index Cond, no Sort of the tab.
    await explain(
      db,
      "EXPLAIN first page, Inbox (big)",
      documentPageQuery(db, big, "inbox", null, DOCUMENT_PAGE_SIZE + 1),
    );
    await explain(
      db,
      "EXPLAIN deep page ?after=, Inbox (big)",
      documentPageQuery(db, big, "inbox", { cursor: deep.big.inbox, direction: "older" }, DOCUMENT_PAGE_SIZE + 1),
    );
    await explain(
      db,
      "EXPLAIN deep page ?after=, Archived (big)",
      documentPageQuery(db, big, "archived", { cursor: deep.big.archived, direction: "older" }, DOCUMENT_PAGE_SIZE + 1),
    );
    await explain(db, "EXPLAIN tab counts (big)", tabCountQuery(db, big));
    console.log(`\nCursor example: ?after=${encodeDocumentCursor(deep.big.inbox)}`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
