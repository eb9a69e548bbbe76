import "server-only";
import { and, eq, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { documents, type RecognisedFields } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { sendJobEvent } from "@/lib/jobs/client";
import { getFileStore } from "@/lib/storage";
import type { DocumentStatus, DocumentType } from "./list";
import { documentTypeSchema } from "./schemas";

/*
 * The document-life rules of the design map ("Document life"), as pure functions first, then the
 * services that apply them. Every rule has its own test (tests/unit/lib/documents/rules.test.ts).
 * A service checks the rule for a clear refusal, then changes the row with a conditional update
 * whose `where` repeats the rule, so of two racing callers only one can win.
 */

/** What the rules look at. */
export type DocumentLifeState = {
  status: DocumentStatus;
  /** null = not recognised. */
  documentType: DocumentType | null;
  archivedAt: Date | null;
};

/** Why a rule refuses; `document.<reason>` is its message key under "errors". */
export type DocumentRefusal =
  | "notRecognised"
  | "alreadySent"
  | "sending"
  | "archived"
  | "sentNoDelete"
  | "sentNoTypeChange"
  | "archiveOnlySent"
  | "alreadyArchived"
  | "notArchived";

export type RuleDecision = { allowed: true } | { allowed: false; reason: DocumentRefusal };

/** Statuses in which a document can be sent (once it has a type), re-typed or deleted. */
export const OPEN_STATUSES = ["inbox", "failed", "rejected"] as const satisfies readonly DocumentStatus[];

const ALLOWED: RuleDecision = { allowed: true };
const refuse = (reason: DocumentRefusal): RuleDecision => ({ allowed: false, reason });

/** The message key (under "errors") that explains a refusal. */
export function refusalMessageKey(reason: DocumentRefusal): string {
  return `document.${reason}`;
}

/**
 * Sending (manual, bulk, auto), retrying a failed document and sending a rejected one again after
 * correction: the document needs a type, and must not be sent, on its way, or archived.
 */
export function canSend(document: DocumentLifeState): RuleDecision {
  if (document.archivedAt) return refuse("archived");
  if (document.status === "sent") return refuse("alreadySent");
  if (document.status === "sending") return refuse("sending");
  if (document.documentType === null) return refuse("notRecognised");
  return ALLOWED;
}

/** Inbox, failed and rejected documents may be deleted; a sent one only archived. */
export function canDelete(document: DocumentLifeState): RuleDecision {
  if (document.status === "sent") return refuse("sentNoDelete");
  if (document.status === "sending") return refuse("sending");
  return ALLOWED;
}

/** Inbox, failed and rejected documents may be (re-)typed; a sent document's type is final. */
export function canChangeType(document: DocumentLifeState): RuleDecision {
  if (document.status === "sent") return refuse("sentNoTypeChange");
  if (document.status === "sending") return refuse("sending");
  return ALLOWED;
}

/** The archive exists only for sent documents. */
export function canArchive(document: DocumentLifeState): RuleDecision {
  if (document.archivedAt) return refuse("alreadyArchived");
  if (document.status !== "sent") return refuse("archiveOnlySent");
  return ALLOWED;
}

export function canUnarchive(document: DocumentLifeState): RuleDecision {
  if (!document.archivedAt) return refuse("notArchived");
  return ALLOWED;
}

/** Throws the rule's refusal as a 409 with its message key. */
function assertAllowed(decision: RuleDecision): void {
  if (!decision.allowed) throw new ConflictError(refusalMessageKey(decision.reason));
}

// ---------------------------------------------------------------------------------------------
// Services

/** The small view of a document the services return. */
export type DocumentLifeView = DocumentLifeState & { id: string };

const lifeColumns = {
  id: documents.id,
  status: documents.status,
  documentType: documents.documentType,
  archivedAt: documents.archivedAt,
};

type LoadedDocument = DocumentLifeView & { portalId: string; dossierId: string; storageKey: string };

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const documentIdSchema = z.guid();

/**
 * Loads a document and authorizes `action` on its dossier. Unknown, malformed and foreign ids all
 * throw NotFoundError (never 403), so nobody learns that another tenant's document exists.
 */
async function loadDocument(db: DbOrTx, actor: Actor, documentId: string, action: Action): Promise<LoadedDocument> {
  if (!documentIdSchema.safeParse(documentId).success) throw new NotFoundError();
  const [row] = await db
    .select({
      ...lifeColumns,
      portalId: documents.portalId,
      dossierId: documents.dossierId,
      storageKey: documents.storageKey,
    })
    .from(documents)
    .where(eq(documents.id, documentId))
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, action, { portalId: row.portalId, dossierId: row.dossierId });
  return row;
}

/**
 * A conditional update or delete matched nothing: someone else changed the document since we read
 * it. Answers with the rule that now refuses (or a plain conflict), or 404 when it is gone.
 */
async function explainLostRace(
  db: DbOrTx,
  document: LoadedDocument,
  rule: (state: DocumentLifeState) => RuleDecision,
): Promise<never> {
  const [now] = await db
    .select(lifeColumns)
    .from(documents)
    .where(and(eq(documents.id, document.id), eq(documents.portalId, document.portalId)))
    .limit(1);
  if (!now) throw new NotFoundError();
  assertAllowed(rule(now));
  throw new ConflictError("conflict");
}

/**
 * Tells the jobs that a document became recognised, so auto-send can apply. Called after the change
 * is committed. A failure to enqueue is logged, not thrown: the type is stored either way, and
 * the document can still be sent by hand.
 */
export async function announceDocumentRecognised(documentId: string): Promise<void> {
  try {
    await sendJobEvent("documents/document.recognised", { documentId });
  } catch (error) {
    console.error(`[documents] could not announce that document ${documentId} is recognised`, error);
  }
}

/** The `where` that repeats canChangeType and canDelete in SQL: open and not archived. */
function isOpen(): SQL {
  return and(inArray(documents.status, [...OPEN_STATUSES]), isNull(documents.archivedAt)) as SQL;
}

/**
 * Sets or changes a document's type by hand (inbox, failed and rejected documents only). A type set
 * by a person makes the document recognised: any earlier auto-send skip reason and the recognition
 * step's confidence no longer apply, and auto-send gets its chance.
 *
 * `db` must not be an open transaction: the event is sent once the change is committed.
 */
export async function setDocumentType(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  documentType: DocumentType,
): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.type");
  const parsedType = documentTypeSchema.safeParse(documentType);
  if (!parsedType.success) throw new ValidationError({ documentType: ["document.invalidType"] });
  assertAllowed(canChangeType(document));

  const [updated] = await db
    .update(documents)
    .set({
      documentType: parsedType.data,
      recognitionConfidence: null,
      autoSendSkipReason: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(documents.id, document.id), eq(documents.portalId, document.portalId), isOpen()))
    .returning(lifeColumns);
  if (!updated) return explainLostRace(db, document, canChangeType);

  await announceDocumentRecognised(updated.id);
  return updated;
}

/**
 * Stores what the recognition step reported: type, fields and confidence (inbox, failed and
 * rejected documents only; anything else is a 409). Runs inside the caller's transaction (the
 * webhook records the delivery in the same one) and does not announce: the caller calls
 * announceDocumentRecognised once the transaction is committed.
 */
export async function recordRecognition(
  tx: DbOrTx,
  actor: Actor,
  documentId: string,
  recognition: { documentType: DocumentType; fields: RecognisedFields; confidence: number | null },
): Promise<DocumentLifeView> {
  const document = await loadDocument(tx, actor, documentId, "document.type");
  assertAllowed(canChangeType(document));
  const [updated] = await tx
    .update(documents)
    .set({
      documentType: recognition.documentType,
      recognisedFields: recognition.fields,
      recognitionConfidence: recognition.confidence,
      autoSendSkipReason: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(documents.id, document.id), eq(documents.portalId, document.portalId), isOpen()))
    .returning(lifeColumns);
  if (!updated) return explainLostRace(tx, document, canChangeType);
  return updated;
}

/**
 * Deletes an inbox, failed or rejected document and its stored file. A sent document cannot be
 * deleted (it can be archived).
 */
export async function deleteDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<{ id: string }> {
  const document = await loadDocument(db, actor, documentId, "document.delete");
  assertAllowed(canDelete(document));

  const [deleted] = await db
    .delete(documents)
    .where(
      and(
        eq(documents.id, document.id),
        eq(documents.portalId, document.portalId),
        inArray(documents.status, [...OPEN_STATUSES]),
      ),
    )
    .returning({ id: documents.id, storageKey: documents.storageKey });
  if (!deleted) return explainLostRace(db, document, canDelete);

  // The row is gone first: a file left behind by a failed delete is harmless, a row without its
  // file is not.
  try {
    await getFileStore().delete(deleted.storageKey);
  } catch (error) {
    console.error(`[documents] deleted document ${deleted.id} but not its file`, error);
  }
  return { id: deleted.id };
}

/** Archives a sent document. */
export async function archiveDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.archive");
  assertAllowed(canArchive(document));

  const [updated] = await db
    .update(documents)
    .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(documents.id, document.id),
        eq(documents.portalId, document.portalId),
        eq(documents.status, "sent"),
        isNull(documents.archivedAt),
      ),
    )
    .returning(lifeColumns);
  if (!updated) return explainLostRace(db, document, canArchive);
  return updated;
}

/** Takes a sent document out of the archive; it shows in the Sent tab again. */
export async function unarchiveDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.archive");
  assertAllowed(canUnarchive(document));

  const [updated] = await db
    .update(documents)
    .set({ archivedAt: null, updatedAt: sql`now()` })
    .where(
      and(eq(documents.id, document.id), eq(documents.portalId, document.portalId), isNotNull(documents.archivedAt)),
    )
    .returning(lifeColumns);
  if (!updated) return explainLostRace(db, document, canUnarchive);
  return updated;
}
