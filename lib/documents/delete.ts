import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { withAutoSend } from "@/lib/dispatch/auto-send";
import { deleteDocument } from "./life";

/**
 * Deletes a document (lib/documents/life.ts, deleteDocument: inbox, failed and rejected ones, with
 * their file), then gives auto-send its chance on the documents that were held as possible
 * duplicates of it: their hold is lifted with the delete, and the original is gone. Their
 * auto-send comes after the delete (withAutoSend, one transaction for all of them), not in its
 * transaction: the file is removed once the row is, and never before the row's removal commits.
 * `db` must not be an open transaction.
 */
export async function removeDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<{ id: string }> {
  const { id, releasedHolds } = await deleteDocument(db, actor, documentId);
  if (releasedHolds.length > 0) {
    await withAutoSend(
      db,
      async () => releasedHolds,
      (ids) => ids,
    );
  }
  return { id };
}
