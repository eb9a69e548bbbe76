import "server-only";
import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { attempts, dispatches, documents } from "@/db/schema";

/**
 * What a package said about documents it was sent (read-back polling, or a package's webhook that
 * led to a lookup), recorded on the documents. Design map, "Document life" and "Delivery truth":
 * - imported: `imported_at` set, the document stays Sent;
 * - rejected: the document moves from Sent to Rejected with the package's reason, after which it
 *   can be re-typed (or deleted) and sent again like a failed one.
 * Both are conditional updates (still `sent` with the reference the verdict is about, not yet
 * imported): a document is marked once, however often it is polled or notified about, and a state
 * a person or an earlier run already decided, or a later send, is never overwritten. A rejection
 * also gets a history line on the dispatch that delivered it (not a new try: what the package said
 * after the try succeeded), so the document's history and the portal's delivery log show it.
 */

/** Stored in documents.last_error_code for a document the package refused after receiving it. */
export const PACKAGE_REJECTED = "package_rejected";

/**
 * Stored as the reason when the package gives no words of its own (Exact's ProposedEntryStatus 5
 * carries none): a message key, translated where it is shown. Words the package does give are
 * stored as they are; the UI puts its own translated lead ("The package's reason:") before them.
 */
export const PACKAGE_REJECTED_REASON_KEY = "dispatch.errors.package_rejected";

/** A package's reason is shown to people and kept in one text column: bounded and on one line. */
const REASON_MAX_LENGTH = 1_000;
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The reason to store: the package's words (tidied, bounded), or our key when it gave none. */
export function storedRejectionReason(packageReason: string | null | undefined): string {
  const words = (packageReason ?? "").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  if (words === "") return PACKAGE_REJECTED_REASON_KEY;
  return words.length > REASON_MAX_LENGTH ? `${words.slice(0, REASON_MAX_LENGTH - 1)}…` : words;
}

export type PackageVerdict = {
  documentId: string;
  /** The package's reference the verdict is about (the document must still hold it). */
  packageReference: string;
  state: "pending" | "imported" | "rejected";
  reason?: string;
};

/**
 * Records the package's verdicts on documents of one portal. Pending changes nothing. Resolves
 * with how many documents actually changed (a repeated verdict counts 0).
 */
export async function recordPackageVerdicts(
  db: DbOrTx,
  portalId: string,
  verdicts: PackageVerdict[],
  now: Date,
): Promise<{ imported: number; rejected: number }> {
  const stillSent = (condition: SQL) =>
    and(eq(documents.portalId, portalId), condition, eq(documents.status, "sent"), isNull(documents.importedAt));

  // Imported: many at once (an FTP run may report hundreds), each pair of document and reference exact.
  let imported = 0;
  const importedPairs = verdicts.filter((verdict) => verdict.state === "imported");
  for (let i = 0; i < importedPairs.length; i += UPDATE_CHUNK) {
    const pairs = importedPairs
      .slice(i, i + UPDATE_CHUNK)
      .map((verdict) => sql`(${verdict.documentId}::uuid, ${verdict.packageReference}::text)`);
    const rows = await db
      .update(documents)
      .set({ importedAt: now, updatedAt: sql`now()` })
      .where(stillSent(sql`(${documents.id}, ${documents.packageReference}) in (${sql.join(pairs, sql`, `)})`))
      .returning({ id: documents.id });
    imported += rows.length;
  }

  // Rejected: rare, one by one, each with its history line.
  let rejected = 0;
  for (const verdict of verdicts) {
    if (verdict.state !== "rejected") continue;
    const isStillSent = stillSent(
      and(eq(documents.id, verdict.documentId), eq(documents.packageReference, verdict.packageReference)) as SQL,
    );
    if (await markRejected(db, portalId, verdict, isStillSent, now)) rejected++;
  }
  return { imported, rejected };
}

/** Pairs per imported update: well below Postgres's parameter limit. */
const UPDATE_CHUNK = 500;

/** The document to Rejected and its history line, together or not at all. */
async function markRejected(
  db: DbOrTx,
  portalId: string,
  verdict: PackageVerdict,
  isStillSent: SQL | undefined,
  now: Date,
): Promise<boolean> {
  const reason = storedRejectionReason(verdict.reason);
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(documents)
      // A rejected document is an open one again; archiving exists only for sent documents.
      .set({
        status: "rejected",
        lastErrorCode: PACKAGE_REJECTED,
        lastErrorReason: reason,
        archivedAt: null,
        updatedAt: sql`now()`,
      })
      .where(isStillSent)
      .returning({ id: documents.id });
    if (!changed) return false;
    const [delivered] = await tx
      .select({
        id: dispatches.id,
        trigger: dispatches.trigger,
        target: dispatches.target,
        connector: attempts.connector,
      })
      .from(dispatches)
      .innerJoin(attempts, and(eq(attempts.dispatchId, dispatches.id), eq(attempts.outcome, "succeeded")))
      .where(
        and(
          eq(dispatches.portalId, portalId),
          eq(dispatches.documentId, verdict.documentId),
          eq(dispatches.status, "succeeded"),
          eq(dispatches.packageReference, verdict.packageReference),
        ),
      )
      .orderBy(desc(attempts.number))
      .limit(1);
    if (delivered) {
      await tx.insert(attempts).values({
        portalId,
        dispatchId: delivered.id,
        documentId: verdict.documentId,
        number: sql`(select coalesce(max(${attempts.number}), 0) + 1 from ${attempts} where ${attempts.dispatchId} = ${delivered.id})`,
        trigger: delivered.trigger,
        connector: delivered.connector,
        target: delivered.target,
        outcome: "permanent_error",
        errorCode: PACKAGE_REJECTED,
        reason,
        packageReference: verdict.packageReference,
        startedAt: now,
        finishedAt: now,
      });
    }
    return true;
  });
}
