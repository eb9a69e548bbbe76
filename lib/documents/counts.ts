import "server-only";
import { and, eq, inArray, type SQLWrapper, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documentCounts, type documentStatusEnum, documents } from "@/db/schema";

type DocumentStatus = (typeof documentStatusEnum.enumValues)[number];

/**
 * A dossier's documents per status and archived, read from document_counts (db/schema/documents.ts:
 * rows of changes written by the database's triggers on documents, which add up to the counts).
 */
export type DocumentStateCount = { dossierId: string; status: DocumentStatus; isArchived: boolean; n: number };

/**
 * A dossier whose rows grew past this many is folded (one row per state) by the reader that saw
 * it, so a read stays a handful of rows whatever the dossier's size or how busy it was.
 */
export const FOLD_AT = 32;

/**
 * The counts of the given dossiers (or of the dossiers a subquery selects) of one portal, per
 * status and archived; states with no document are left out. Dossiers whose rows piled up are
 * folded afterwards (foldDocumentCounts).
 */
export async function readDocumentCounts(
  db: DbOrTx,
  portalId: string,
  dossierIds: readonly string[] | SQLWrapper,
): Promise<DocumentStateCount[]> {
  const rows = await db
    .select({
      dossierId: documentCounts.dossierId,
      status: documentCounts.status,
      isArchived: documentCounts.isArchived,
      n: sql<number>`sum(${documentCounts.n})::int`.mapWith(Number),
      rows: sql<number>`count(*)::int`.mapWith(Number),
    })
    .from(documentCounts)
    .where(
      and(
        eq(documentCounts.portalId, portalId),
        inArray(documentCounts.dossierId, Array.isArray(dossierIds) ? [...dossierIds] : (dossierIds as SQLWrapper)),
      ),
    )
    .groupBy(documentCounts.dossierId, documentCounts.status, documentCounts.isArchived);
  const rowsPerDossier = new Map<string, number>();
  for (const row of rows) rowsPerDossier.set(row.dossierId, (rowsPerDossier.get(row.dossierId) ?? 0) + row.rows);
  for (const [dossierId, count] of rowsPerDossier) {
    if (count > FOLD_AT) await foldDocumentCounts(db, portalId, dossierId);
  }
  return rows.filter((row) => row.n !== 0).map(({ rows: _rows, ...count }) => count);
}

/**
 * Folds a dossier's rows into one per state, in one statement: it deletes the rows it sees and
 * inserts their sums. Safe beside writers and other folds: rows written meanwhile are not in its
 * snapshot and stay; a concurrent fold of the same rows finds them gone and inserts nothing. A
 * failure is logged and costs nothing but the fold (the rows still add up).
 */
export async function foldDocumentCounts(db: DbOrTx, portalId: string, dossierId: string): Promise<void> {
  try {
    await db.execute(sql`
      with folded as (
        delete from ${documentCounts}
        where ${documentCounts.portalId} = ${portalId} and ${documentCounts.dossierId} = ${dossierId}
        returning ${documentCounts.status} as status, ${documentCounts.isArchived} as is_archived, ${documentCounts.n} as n
      )
      insert into ${documentCounts} (portal_id, dossier_id, status, is_archived, n)
      select ${portalId}::uuid, ${dossierId}::uuid, status, is_archived, sum(n)::int
      from folded group by status, is_archived having sum(n) <> 0`);
  } catch (error) {
    console.warn(`[counts] folding the document counts of dossier ${dossierId} failed`, error);
  }
}

/** A state whose kept count is not the number of documents in it. */
export type CountDifference = {
  portalId: string;
  dossierId: string;
  status: DocumentStatus;
  isArchived: boolean;
  kept: number;
  actual: number;
};

/**
 * Recounts every dossier's documents and compares with the kept counts, in one snapshot (a
 * repeatable-read transaction: a change committed meanwhile is in neither side). With `repair`,
 * each difference gets a correcting row in the same transaction, so the counts are right from its
 * commit on. The triggers make a difference impossible short of someone editing document_counts
 * (or disabling the triggers) by hand: this is the check that says so.
 */
export async function recountDocumentCounts(
  db: DbOrTx,
  options: { repair: boolean },
): Promise<{ states: number; differences: CountDifference[] }> {
  return db.transaction(
    async (tx) => {
      const result = await tx.execute(sql`
        with actual as (
          select ${documents.portalId} as portal_id, ${documents.dossierId} as dossier_id, ${documents.status} as status,
            ${documents.archivedAt} is not null as is_archived, count(*)::int as n
          from ${documents} group by 1, 2, 3, 4
        ), kept as (
          select ${documentCounts.portalId} as portal_id, ${documentCounts.dossierId} as dossier_id,
            ${documentCounts.status} as status, ${documentCounts.isArchived} as is_archived, sum(${documentCounts.n})::int as n
          from ${documentCounts} group by 1, 2, 3, 4
        )
        select coalesce(a.portal_id, k.portal_id) as "portalId", coalesce(a.dossier_id, k.dossier_id) as "dossierId",
          coalesce(a.status, k.status) as "status", coalesce(a.is_archived, k.is_archived) as "isArchived",
          coalesce(k.n, 0) as "kept", coalesce(a.n, 0) as "actual"
        from actual a full join kept k
          on k.portal_id = a.portal_id and k.dossier_id = a.dossier_id and k.status = a.status and k.is_archived = a.is_archived`);
      const states = (result as unknown as { rows: CountDifference[] }).rows.map((row) => ({
        ...row,
        kept: Number(row.kept),
        actual: Number(row.actual),
      }));
      const differences = states.filter((state) => state.kept !== state.actual);
      if (options.repair && differences.length > 0) {
        await tx.insert(documentCounts).values(
          differences.map((difference) => ({
            portalId: difference.portalId,
            dossierId: difference.dossierId,
            status: difference.status,
            isArchived: difference.isArchived,
            n: difference.actual - difference.kept,
          })),
        );
      }
      return { states: states.filter((state) => state.actual !== 0).length, differences };
    },
    { isolationLevel: "repeatable read" },
  );
}
