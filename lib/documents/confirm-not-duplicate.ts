import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { withAutoSendView } from "@/lib/dispatch/auto-send";
import { confirmNotDuplicate as confirmNotDuplicateChange, type DocumentLifeView } from "./life";

/**
 * A person (or an API key) says a document held as a possible duplicate is a different document
 * (lib/documents/life.ts, confirmNotDuplicate: the hold is lifted, with its event; the permission
 * is the one for typing a document, "document.type"), and gives auto-send its
 * chance in the same transaction: "then it goes". `db` must not be an open transaction: the
 * delivery is handed to the job driver once it committed.
 */
export async function confirmDocumentNotDuplicate(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
): Promise<DocumentLifeView> {
  return withAutoSendView(db, (tx) => confirmNotDuplicateChange(tx, actor, documentId));
}
