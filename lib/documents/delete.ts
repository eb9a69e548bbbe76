import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { autoSendRecognised } from "@/lib/dispatch/auto-send";
import { deleteDocument } from "./life";

/**
 * Deletes a document (lib/documents/life.ts, deleteDocument: inbox, failed and rejected ones, with
 * their file), then gives auto-send its chance on the documents that were held as possible
 * duplicates of it: their hold is lifted in the same transaction, and the original is gone.
 * `db` must not be an open transaction.
 */
export async function removeDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<{ id: string }> {
  const { id, releasedHolds } = await deleteDocument(db, actor, documentId);
  for (const releasedId of releasedHolds) await autoSendRecognised(db, releasedId);
  return { id };
}
