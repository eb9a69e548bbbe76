import "server-only";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents } from "@/db/schema";

/**
 * What a package said about documents it was sent (read-back polling, or a package's webhook that
 * led to a lookup), recorded on the documents. Design map, "Document life" and "Delivery truth":
 * - imported: `imported_at` set, the document stays Sent;
 * - rejected: the document moves from Sent to Rejected with the package's reason, after which it
 *   can be re-typed (or deleted) and sent again like a failed one.
 * Both are conditional updates (still `sent`, not yet imported): a document is marked once,
 * however often it is polled or notified about, and a state a person or an earlier run already
 * decided is never overwritten.
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

export type PackageVerdict = { documentId: string; state: "pending" | "imported" | "rejected"; reason?: string };

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
  const stillSent = (ids: string[]) =>
    and(
      eq(documents.portalId, portalId),
      inArray(documents.id, ids),
      eq(documents.status, "sent"),
      isNull(documents.importedAt),
    );

  let imported = 0;
  const importedIds = verdicts.filter((verdict) => verdict.state === "imported").map((verdict) => verdict.documentId);
  if (importedIds.length > 0) {
    const rows = await db
      .update(documents)
      .set({ importedAt: now, updatedAt: sql`now()` })
      .where(stillSent(importedIds))
      .returning({ id: documents.id });
    imported = rows.length;
  }

  // One update per distinct reason: a run usually carries one or two.
  const byReason = new Map<string, string[]>();
  for (const verdict of verdicts) {
    if (verdict.state !== "rejected") continue;
    const reason = storedRejectionReason(verdict.reason);
    byReason.set(reason, [...(byReason.get(reason) ?? []), verdict.documentId]);
  }
  let rejected = 0;
  for (const [reason, ids] of byReason) {
    const rows = await db
      .update(documents)
      // A rejected document is an open one again; archiving exists only for sent documents.
      .set({
        status: "rejected",
        lastErrorCode: PACKAGE_REJECTED,
        lastErrorReason: reason,
        archivedAt: null,
        updatedAt: sql`now()`,
      })
      .where(stillSent(ids))
      .returning({ id: documents.id });
    rejected += rows.length;
  }
  return { imported, rejected };
}
