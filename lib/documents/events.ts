import "server-only";
import { sendJobEvent } from "@/lib/jobs/client";

/**
 * Tells the jobs that a document became recognised, so auto-send can apply. Called once the change
 * is committed (lib/documents/life.ts wrote its event with it). A failure to enqueue is logged, not
 * thrown: the type is stored either way, and the document can still be sent by hand.
 */
export async function announceDocumentRecognised(documentId: string): Promise<void> {
  try {
    await sendJobEvent("documents/document.recognised", { documentId });
  } catch (error) {
    console.error(`[documents] could not announce that document ${documentId} is recognised`, error);
  }
}
