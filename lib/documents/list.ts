import "server-only";
import { and, eq, isNotNull, isNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db";
import { type documentStatusEnum, documents, type documentTypeEnum } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { type DossierScope, resolveDossierScope } from "@/lib/dossiers/get";
import { readDocumentCounts } from "./counts";
import {
  DOCUMENT_TABS,
  type DocumentCursor,
  type DocumentTab,
  encodeDocumentCursor,
  type PageDirection,
} from "./schemas";
import { UBL_MIME_TYPE } from "./sniff";

export type DocumentStatus = (typeof documentStatusEnum.enumValues)[number];
export type DocumentType = (typeof documentTypeEnum.enumValues)[number];

export const DOCUMENT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/**
 * The statuses behind each non-archived tab. The tabs partition a dossier's documents: an
 * archived document shows only under Archived, whatever its status.
 */
const TAB_STATUSES: Record<Exclude<DocumentTab, "archived">, readonly DocumentStatus[]> = {
  inbox: ["inbox", "sending"],
  sent: ["sent"],
  failed: ["failed"],
  rejected: ["rejected"],
};

/** One row of the document list: only what the list shows. */
export type DocumentListItem = {
  id: string;
  fileName: string;
  /** null = not recognised. */
  documentType: DocumentType | null;
  status: DocumentStatus;
  createdAt: Date;
  archivedAt: Date | null;
  /** `YYYY-MM-DD` as recognised, unchecked. */
  invoiceDate: string | null;
  supplierName: string | null;
  totalAmount: number | null;
  currency: string | null;
  /** Why the last delivery failed or the package refused it. */
  lastErrorReason: string | null;
  /** A UBL e-invoice: typed from its own XML at arrival, never by the recognition step. */
  isEInvoice: boolean;
};

export type DocumentPage = {
  items: DocumentListItem[];
  /** Cursor for `?before=`: the page above; null on the first page. */
  newerCursor: string | null;
  /** Cursor for `?after=`: the page below; null on the last page. */
  olderCursor: string | null;
};

export type ListDocumentsParams = {
  dossierId: string;
  tab: DocumentTab;
  /** null = first page. A cursor made for another tab is ignored. */
  cursor: DocumentCursor | null;
  direction: PageDirection;
  limit?: number;
  /**
   * What a cursor with nothing past it answers: the UI shows the first page again (a stale link
   * still shows something); the REST API wants an empty last page, or a client paging on until
   * there is no cursor would loop.
   */
  pastEnd?: "first_page" | "empty";
};

type Position = { cursor: DocumentCursor; direction: PageDirection };

/** The timestamp a tab is ordered by (newest first, id breaking ties), as its partial index has it. */
function sortColumnOf(tab: DocumentTab) {
  return tab === "archived" ? documents.archivedAt : documents.createdAt;
}

/**
 * The index order. drizzle-kit wrote the partial indexes as `desc nulls last`, and Postgres uses
 * an index for ORDER BY only when the nulls placement matches too (even on not-null columns);
 * a plain `desc` (nulls first) silently turns every page into a scan and sort of the whole tab.
 */
function keysetOrder(sortColumn: SQLWrapper, idColumn: SQLWrapper, direction: "asc" | "desc"): SQL[] {
  return direction === "desc"
    ? [sql`${sortColumn} desc nulls last`, sql`${idColumn} desc nulls last`]
    : [sql`${sortColumn} asc nulls first`, sql`${idColumn} asc nulls first`];
}

/**
 * One keyset-ordered slice for one status (or for the archive). Its where clause repeats the
 * partial index predicate (`archived_at is null` / `is not null`) and the row comparison
 * `(sort, id) < (…)` is an index condition, so a page costs one index range scan of `take` rows
 * however deep it is.
 */
function sliceQuery(
  db: DbOrTx,
  scope: DossierScope,
  tab: DocumentTab,
  status: DocumentStatus | null,
  position: Position | null,
  take: number,
) {
  const sortColumn = sortColumnOf(tab);
  const conditions: SQL[] = [eq(documents.portalId, scope.portalId), eq(documents.dossierId, scope.dossierId)];
  if (status) conditions.push(isNull(documents.archivedAt), eq(documents.status, status));
  else conditions.push(isNotNull(documents.archivedAt));
  const isOlder = position === null || position.direction === "older";
  if (position) {
    const operator = isOlder ? sql`<` : sql`>`;
    conditions.push(
      sql`(${sortColumn}, ${documents.id}) ${operator} (${position.cursor.key}::timestamptz, ${position.cursor.id}::uuid)`,
    );
  }
  return db
    .select({
      id: documents.id,
      fileName: documents.fileName,
      documentType: documents.documentType,
      status: documents.status,
      createdAt: documents.createdAt,
      archivedAt: documents.archivedAt,
      invoiceDate: sql<string | null>`${documents.recognisedFields}->>'invoiceDate'`.as("invoice_date"),
      supplierName: sql<string | null>`${documents.recognisedFields}->>'supplierName'`.as("supplier_name"),
      totalAmount: sql<string | null>`${documents.recognisedFields}->>'totalAmount'`.as("total_amount"),
      currency: sql<string | null>`${documents.recognisedFields}->>'currency'`.as("currency"),
      lastErrorReason: documents.lastErrorReason,
      isEInvoice: sql<boolean>`${documents.mimeType} = ${UBL_MIME_TYPE}`.as("is_einvoice"),
      // Text keeps the microseconds a JS Date would drop; it becomes the cursor.
      sortKey: sql<string>`to_char(${sortColumn} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sort_key"),
      sortAt: sql`${sortColumn}`.as("sort_at"),
    })
    .from(documents)
    .where(and(...conditions))
    .orderBy(...keysetOrder(sortColumn, documents.id, isOlder ? "desc" : "asc"))
    .limit(take);
}

/**
 * The query for one page of a tab, in keyset order (newest first when going older, oldest first
 * when going newer). A tab of several statuses (Inbox: inbox + sending) is a UNION ALL of one
 * index-ordered slice per status, merged and cut again; a single `status in (…)` would make
 * Postgres read and sort every matching row. Exported for scripts/bench.ts (EXPLAIN).
 */
export function documentPageQuery(
  db: DbOrTx,
  scope: DossierScope,
  tab: DocumentTab,
  position: Position | null,
  take: number,
) {
  const statuses = tab === "archived" ? [null] : TAB_STATUSES[tab];
  const [first, second, ...rest] = statuses.map((status) => sliceQuery(db, scope, tab, status, position, take));
  if (!first) throw new Error(`tab ${tab} has no statuses`);
  if (!second) return first;
  const direction = position === null || position.direction === "older" ? "desc" : "asc";
  return unionAll(first, second, ...rest)
    .orderBy(...keysetOrder(sql.raw(`"sort_at"`), sql.raw(`"id"`), direction))
    .limit(take);
}

type SliceRow = Awaited<ReturnType<typeof sliceQuery>>[number];

function toItem(row: SliceRow): DocumentListItem {
  const amount = row.totalAmount === null ? null : Number(row.totalAmount);
  return {
    id: row.id,
    fileName: row.fileName,
    documentType: row.documentType,
    status: row.status,
    createdAt: row.createdAt,
    archivedAt: row.archivedAt,
    invoiceDate: row.invoiceDate,
    supplierName: row.supplierName,
    totalAmount: amount !== null && Number.isFinite(amount) ? amount : null,
    currency: row.currency,
    lastErrorReason: row.lastErrorReason,
    isEInvoice: row.isEInvoice,
  };
}

function toPage(tab: DocumentTab, rows: SliceRow[], links: { hasNewer: boolean; hasOlder: boolean }): DocumentPage {
  const first = rows[0];
  const last = rows.at(-1);
  return {
    items: rows.map(toItem),
    newerCursor: links.hasNewer && first ? encodeDocumentCursor({ tab, key: first.sortKey, id: first.id }) : null,
    olderCursor: links.hasOlder && last ? encodeDocumentCursor({ tab, key: last.sortKey, id: last.id }) : null,
  };
}

/**
 * One page of a dossier's documents in a tab, newest first, by keyset (never OFFSET): fast at any
 * depth. Throws NotFoundError for a dossier the actor may not see.
 */
export async function listDocuments(db: DbOrTx, actor: Actor, params: ListDocumentsParams): Promise<DocumentPage> {
  const scope = await resolveDossierScope(db, actor, params.dossierId, "document.view");
  const { tab } = params;
  const limit = Math.min(Math.max(Math.trunc(params.limit ?? DOCUMENT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const cursor = params.cursor?.tab === tab ? params.cursor : null;

  if (cursor) {
    const rows = await documentPageQuery(db, scope, tab, { cursor, direction: params.direction }, limit + 1);
    const hasMore = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    if (params.direction === "older" && pageRows.length > 0) {
      return toPage(tab, pageRows, { hasNewer: true, hasOlder: hasMore });
    }
    if (params.direction === "older" && params.pastEnd === "empty") {
      return { items: [], newerCursor: null, olderCursor: null };
    }
    if (params.direction === "newer" && hasMore) {
      return toPage(tab, pageRows.reverse(), { hasNewer: true, hasOlder: true });
    }
    // Back at the top (fewer than a page is newer), or nothing is left past the cursor since the
    // link was made: show the full first page instead of a short or empty one.
  }

  const rows = await documentPageQuery(db, scope, tab, null, limit + 1);
  return toPage(tab, rows.slice(0, limit), { hasNewer: false, hasOlder: rows.length > limit });
}

/**
 * How many documents each tab holds, in one grouped query over the dossier's rows. Exported for
 * scripts/bench.ts (EXPLAIN).
 */
const TAB_OF_STATUS: Record<DocumentStatus, Exclude<DocumentTab, "archived">> = {
  inbox: "inbox",
  sending: "inbox",
  sent: "sent",
  failed: "failed",
  rejected: "rejected",
};

/** Document counts per tab, with the same semantics as listDocuments. */
export async function countDocumentsByTab(
  db: DbOrTx,
  actor: Actor,
  params: { dossierId: string },
): Promise<Record<DocumentTab, number>> {
  const scope = await resolveDossierScope(db, actor, params.dossierId, "document.view");
  const counts = Object.fromEntries(DOCUMENT_TABS.map((tab) => [tab, 0])) as Record<DocumentTab, number>;
  // Kept counts (lib/documents/counts.ts): a few rows, whatever the dossier's size.
  for (const row of await readDocumentCounts(db, scope.portalId, [scope.dossierId])) {
    counts[row.isArchived ? "archived" : TAB_OF_STATUS[row.status]] += row.n;
  }
  return counts;
}
