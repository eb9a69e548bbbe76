import type { Db } from "@/db";

/** Why a recognised document was not sent automatically (stored in documents.auto_send_skip_reason). */
export type AutoSendResult = { sent: true; dispatchId: string } | { sent: false; skipReason: string | null };

/**
 * Sends a freshly recognised document when its dossier's auto-send is on and its integration is
 * usable; otherwise records why not. Filled in by the dispatch work (issue 4).
 */
export async function autoSend(_db: Db, _documentId: string): Promise<AutoSendResult> {
  return { sent: false, skipReason: null };
}
