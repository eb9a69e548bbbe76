import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { announceDocumentRecognised } from "./events";
import type { RecognisedFields } from "./fields";
import { type DocumentLifeView, recordRecognition, typeDocument } from "./life";
import type { DocumentType } from "./list";

/**
 * Sets or changes a document's type by hand (lib/documents/life.ts, typeDocument), then announces
 * it, so auto-send gets its chance. `db` must not be an open transaction: the announcement goes
 * out once the change is committed.
 */
export async function setDocumentType(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  documentType: DocumentType,
): Promise<DocumentLifeView> {
  const typed = await typeDocument(db, actor, documentId, documentType);
  await announceDocumentRecognised(typed.id);
  return typed;
}

/**
 * Stores a recognition result (type, fields, confidence) reported outside the webhook (the REST
 * API's PUT /documents/{documentId}/recognition): the same change the recognition webhook makes
 * (lib/documents/life.ts, recordRecognition, with its rules), then the announcement, so auto-send
 * gets its chance. `db` must not be an open transaction.
 */
export async function setDocumentRecognition(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  recognition: { documentType: DocumentType; fields: RecognisedFields; confidence: number | null },
): Promise<DocumentLifeView> {
  const recognised = await recordRecognition(db, actor, documentId, recognition);
  await announceDocumentRecognised(recognised.id);
  return recognised;
}
