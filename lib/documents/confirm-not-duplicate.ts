import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { autoSendRecognisedView } from "@/lib/dispatch/auto-send";
import { confirmNotDuplicate as confirmNotDuplicateChange, type DocumentLifeView } from "./life";

/**
 * A person (or an API key) says a document held as a possible duplicate is a different document
 * (lib/documents/life.ts, confirmNotDuplicate: the hold is lifted, with its event; the permission
 * is the one for typing a document, "document.type"), then gives auto-send its
 * chance: "then it goes". `db` must not be an open transaction: auto-send runs once the change is
 * committed.
 */
export async function confirmDocumentNotDuplicate(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
): Promise<DocumentLifeView> {
  const confirmed = await confirmNotDuplicateChange(db, actor, documentId);
  return confirmed.documentType === null ? confirmed : autoSendRecognisedView(db, confirmed);
}
