import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { withAutoSendView } from "@/lib/dispatch/auto-send";
import type { RecognisedFields } from "./fields";
import { type DocumentLifeView, recordRecognition, typeDocument } from "./life";
import type { DocumentType } from "./list";

/**
 * Sets or changes a document's type by hand (lib/documents/life.ts, typeDocument) and gives
 * auto-send its chance in the same transaction (withAutoSendView). `db` must not be an open
 * transaction: the delivery is handed to the job driver once it committed.
 */
export async function setDocumentType(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  documentType: DocumentType,
): Promise<DocumentLifeView> {
  return withAutoSendView(db, (tx) => typeDocument(tx, actor, documentId, documentType));
}

/**
 * Stores a recognition result (type, fields, confidence) reported outside the webhook (the REST
 * API's PUT /documents/{documentId}/recognition): the same change the recognition webhook makes
 * (lib/documents/life.ts, recordRecognition, with its rules), and auto-send's
 * chance in the same transaction. `db` must not be an open transaction.
 */
export async function setDocumentRecognition(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  recognition: { documentType: DocumentType; fields: RecognisedFields; confidence: number | null },
): Promise<DocumentLifeView> {
  return withAutoSendView(db, (tx) => recordRecognition(tx, actor, documentId, recognition));
}
