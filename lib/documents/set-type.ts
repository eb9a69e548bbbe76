import "server-only";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import { announceDocumentRecognised } from "./events";
import { type DocumentLifeView, typeDocument } from "./life";
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
