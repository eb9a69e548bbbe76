import "server-only";
import type { DbOrTx } from "@/db";
import { systemActor } from "@/lib/auth/actor";
import { markImported, settleSentDocument } from "@/lib/documents/life";

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
 * Records the package's verdicts on documents of one portal (lib/documents/life.ts: markImported
 * and settleSentDocument). Pending changes nothing. Resolves with how many documents actually
 * changed (a repeated verdict counts 0).
 */
export async function recordPackageVerdicts(
  db: DbOrTx,
  portalId: string,
  verdicts: PackageVerdict[],
  now: Date,
): Promise<{ imported: number; rejected: number }> {
  const actor = systemActor("read-back");
  // Imported: many at once (an FTP run may report hundreds), each pair of document and reference exact.
  const imported = await markImported(db, {
    portalId,
    pairs: verdicts.filter((verdict) => verdict.state === "imported"),
    now,
    actor,
  });
  // Rejected: rare, one by one, each with its history line.
  let rejected = 0;
  for (const verdict of verdicts) {
    if (verdict.state !== "rejected") continue;
    const isRejected = await settleSentDocument(db, {
      portalId,
      documentId: verdict.documentId,
      packageReference: verdict.packageReference,
      verdict: "rejected",
      errorCode: PACKAGE_REJECTED,
      reason: storedRejectionReason(verdict.reason),
      now,
      actor,
    });
    if (isRejected) rejected++;
  }
  return { imported, rejected };
}
