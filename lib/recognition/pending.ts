// No server-only import: a pure rule, unit-tested, and the dossier page computes it at render time.

/**
 * How long an unrecognised document is shown as "being recognised" after it arrived, when the
 * office has a recognition step: past this, a report is not coming (or not soon), and the
 * entrepreneur is asked to pick the type instead.
 */
export const RECOGNITION_PENDING_MS = 15 * 60 * 1000;

/**
 * What a document's missing type means to the person looking at it:
 * - `recognised`: it has a type;
 * - `pending`: no type yet, the office has a recognition step and the document arrived less than
 *   RECOGNITION_PENDING_MS ago, so a report is expected;
 * - `pickType`: no type, and none is expected (no recognition step, or it has been too long).
 */
export type RecognitionView = "recognised" | "pending" | "pickType";

/** `isEInvoice`: a UBL e-invoice is typed from its XML at arrival; no recognition report is coming for it. */
type Document = { documentType: string | null; createdAt: Date; isEInvoice?: boolean };
type Context = { hasRecognitionStep: boolean; now: Date };

/** When the document stops being "being recognised"; null when it never is (or has a type). */
export function recognitionPendingUntil(document: Document, context: Pick<Context, "hasRecognitionStep">): Date | null {
  if (document.documentType !== null || document.isEInvoice || !context.hasRecognitionStep) return null;
  return new Date(document.createdAt.getTime() + RECOGNITION_PENDING_MS);
}

/** The view of one document at `now` (the server's clock at render time). */
export function recognitionViewOf(document: Document, context: Context): RecognitionView {
  if (document.documentType !== null) return "recognised";
  const until = recognitionPendingUntil(document, context);
  return until !== null && context.now.getTime() < until.getTime() ? "pending" : "pickType";
}

/**
 * How long until the first of these documents stops being "being recognised", from `now`; null
 * when none is pending. The page re-renders then, so "pick a type" replaces "being recognised"
 * without a reload (a duration, not a moment: the browser's clock is not trusted with it).
 */
export function msUntilRecognitionViewChanges(documents: readonly Document[], context: Context): number | null {
  let soonest: number | null = null;
  for (const document of documents) {
    if (recognitionViewOf(document, context) !== "pending") continue;
    const until = recognitionPendingUntil(document, context);
    if (until === null) continue;
    const ms = until.getTime() - context.now.getTime();
    if (soonest === null || ms < soonest) soonest = ms;
  }
  return soonest;
}
