import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { autoSendRecognisedView } from "@/lib/dispatch/auto-send";
import type { RecognisedFields } from "./fields";
import { type DocumentLifeView, recordRecognition, typeDocument } from "./life";
import type { DocumentType } from "./list";

/**
 * Sets or changes a document's type by hand (lib/documents/life.ts, typeDocument), then gives
 * auto-send its chance (autoSendRecognisedView). `db` must not be an open transaction: auto-send runs
 * once the change is committed.
 */
export async function setDocumentType(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  documentType: DocumentType,
): Promise<DocumentLifeView> {
  const typed = await typeDocument(db, actor, documentId, documentType);
  return autoSendRecognisedView(db, typed);
}

/**
 * Stores a recognition result (type, fields, confidence) reported outside the webhook (the REST
 * API's PUT /documents/{documentId}/recognition): the same change the recognition webhook makes
 * (lib/documents/life.ts, recordRecognition, with its rules), then auto-send's
 * chance. `db` must not be an open transaction.
 */
export async function setDocumentRecognition(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  recognition: { documentType: DocumentType; fields: RecognisedFields; confidence: number | null },
): Promise<DocumentLifeView> {
  const recognised = await recordRecognition(db, actor, documentId, recognition);
  return autoSendRecognisedView(db, recognised);
}
