import "server-only";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { attempts, dispatches, documents, type RecognisedFields, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize, can } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import { withTargetDescriptions } from "@/lib/connectors/describe-targets";
import type { TargetDescription } from "@/lib/connectors/target";
import { type WaitingView, waitingViewOf } from "@/lib/dispatch/waiting-state";
import { type DossierScope, resolveDossierScope } from "@/lib/dossiers/get";
import { NotFoundError } from "@/lib/errors";
import { getFileStore } from "@/lib/storage";
import type { ByteRange } from "@/lib/storage/byte-range";
import { FileNotFoundError, type OpenedFile } from "@/lib/storage/file-store";
import { readUbl } from "@/lib/ubl/read";
import {
  canArchive,
  canChangeType,
  canConfirmNotDuplicate,
  canDelete,
  canSend,
  canUnarchive,
  type DocumentLifeState,
} from "./life";
import type { DocumentStatus, DocumentType } from "./list";

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const guidSchema = z.guid();

/**
 * What the actor may do with a document now: the permission table (lib/auth/permissions.ts) and
 * the document-life rules (lib/documents/life.ts) must both allow it. The UI shows a button only
 * when its flag is set; the services check everything again.
 */
export type AllowedDocumentActions = {
  /** Send an inbox document (it has a type). */
  send: boolean;
  /** Send a failed document again (trigger "retry"). */
  retry: boolean;
  /** Send a rejected document again after correction. */
  sendAgain: boolean;
  /** Set or change the type by hand. */
  type: boolean;
  delete: boolean;
  archive: boolean;
  unarchive: boolean;
  /** Say that a document held as a possible duplicate is a different document (it may then go). */
  confirmNotDuplicate: boolean;
};

/**
 * The buttons a document of the dossier `scope` gets for `actor`: each is the action the service
 * behind it authorizes (sending again after a rejection is a manual send, unarchiving is
 * document.archive) and the life rule it applies.
 */
export function allowedActionsOf(actor: Actor, scope: DossierScope, state: DocumentLifeState): AllowedDocumentActions {
  const may = (action: Action) => can(actor, action, scope);
  const sendable = canSend(state).allowed;
  return {
    send: may("document.send") && sendable && state.status === "inbox",
    retry: may("document.retry") && sendable && state.status === "failed",
    sendAgain: may("document.send") && sendable && state.status === "rejected",
    type: may("document.type") && canChangeType(state).allowed,
    delete: may("document.delete") && canDelete(state).allowed,
    archive: may("document.archive") && canArchive(state).allowed,
    unarchive: may("document.archive") && canUnarchive(state).allowed,
    confirmNotDuplicate: may("document.type") && canConfirmNotDuplicate(state).allowed,
  };
}

/** The live state of a document: what the list and its status polling need beyond the list row. */
export type DocumentState = {
  id: string;
  status: DocumentStatus;
  documentType: DocumentType | null;
  archivedAt: Date | null;
  lastErrorCode: string | null;
  /** A message key ("connectors.errors.…", "dispatch.…") or, for rejections, the package's own words. */
  lastErrorReason: string | null;
  /** A code of lib/documents/refusals.ts: why the document was not sent automatically. */
  autoSendSkipReason: string | null;
  /** A read-back proved the package took it in (a refinement of Sent; the rules of Sent apply). */
  importedAt: Date | null;
  /** Held as a possible duplicate of this document of the dossier (lib/documents/duplicates.ts). */
  possibleDuplicateOf: string | null;
  allowed: AllowedDocumentActions;
};

/** At most this many ids per call: a page of the list is 50. */
export const MAX_STATE_IDS = 200;

/**
 * The current state of some documents of one dossier, in one query: the list page adds it to its
 * rows, and the status endpoint answers the polling of documents that are being sent. Ids that
 * are malformed, unknown or of another dossier are left out. Throws NotFoundError for a dossier
 * the actor may not see.
 */
export async function listDocumentStates(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  documentIds: readonly string[],
): Promise<DocumentState[]> {
  const scope = await resolveDossierScope(db, actor, dossierId, "document.view");
  const ids = [...new Set(documentIds)].filter((id) => guidSchema.safeParse(id).success).slice(0, MAX_STATE_IDS);
  if (ids.length === 0) return [];
  const rows = await db
    .select({
      id: documents.id,
      status: documents.status,
      documentType: documents.documentType,
      archivedAt: documents.archivedAt,
      lastErrorCode: documents.lastErrorCode,
      lastErrorReason: documents.lastErrorReason,
      autoSendSkipReason: documents.autoSendSkipReason,
      importedAt: documents.importedAt,
      possibleDuplicateOf: documents.possibleDuplicateOf,
    })
    .from(documents)
    .where(
      and(eq(documents.portalId, scope.portalId), eq(documents.dossierId, scope.dossierId), inArray(documents.id, ids)),
    );
  return rows.map((row) => ({ ...row, allowed: allowedActionsOf(actor, scope, row) }));
}

/** One try of a delivery, as the document page's history shows it. */
export type AttemptEntry = {
  id: string;
  number: number;
  connector: string;
  target: Record<string, unknown>;
  /** Where it went, described as everywhere else (lib/connectors/target.ts). */
  targetDescription: TargetDescription;
  outcome: (typeof attempts.$inferSelect)["outcome"];
  errorCode: string | null;
  /** A message key, or the package's own words. */
  reason: string | null;
  packageReference: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

/** One request to deliver the document (manual, bulk, auto or retry) with its tries, oldest try first. */
export type DispatchEntry = {
  id: string;
  trigger: (typeof dispatches.$inferSelect)["trigger"];
  status: (typeof dispatches.$inferSelect)["status"];
  /** The person who asked; null for auto-send, jobs and API tokens. */
  requestedBy: { name: string | null; email: string } | null;
  target: Record<string, unknown>;
  packageReference: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  attempts: AttemptEntry[];
};

export type DocumentDetail = {
  id: string;
  dossierId: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  source: (typeof documents.$inferSelect)["source"];
  documentType: DocumentType | null;
  recognisedFields: RecognisedFields;
  recognitionConfidence: number | null;
  status: DocumentStatus;
  archivedAt: Date | null;
  sentAt: Date | null;
  /** A read-back proved the package took it in. */
  importedAt: Date | null;
  packageReference: string | null;
  lastErrorCode: string | null;
  lastErrorReason: string | null;
  autoSendSkipReason: string | null;
  /** Held as a possible duplicate of this earlier document of the dossier; null when not held. */
  possibleDuplicateOf: string | null;
  /** That document, as the hold names it (its name, number and date). */
  possibleDuplicate: PossibleDuplicateSummary | null;
  createdAt: Date;
  allowed: AllowedDocumentActions;
  /** Newest request first. */
  history: DispatchEntry[];
  /** Sending, and waiting out an outage: since when, until when (lib/dispatch/waiting-state.ts). */
  waiting: WaitingView | null;
};

/** The document a held document may duplicate, as its page names it. */
export type PossibleDuplicateSummary = {
  id: string;
  fileName: string;
  status: DocumentStatus;
  supplierName: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  totalAmount: number | null;
  currency: string | null;
  createdAt: Date;
};

/**
 * A document with everything its page shows: the facts, the recognised fields, the status with
 * its reason, and every delivery request with its attempts. Unknown, malformed and foreign ids
 * (another dossier, another portal) all throw NotFoundError.
 */
export async function getDocumentDetail(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  documentId: string,
): Promise<DocumentDetail> {
  const scope = await resolveDossierScope(db, actor, dossierId, "document.view");
  if (!guidSchema.safeParse(documentId).success) throw new NotFoundError();
  const [row] = await db
    .select({
      id: documents.id,
      dossierId: documents.dossierId,
      fileName: documents.fileName,
      mimeType: documents.mimeType,
      sizeBytes: documents.sizeBytes,
      source: documents.source,
      documentType: documents.documentType,
      recognisedFields: documents.recognisedFields,
      recognitionConfidence: documents.recognitionConfidence,
      status: documents.status,
      archivedAt: documents.archivedAt,
      sentAt: documents.sentAt,
      importedAt: documents.importedAt,
      packageReference: documents.packageReference,
      lastErrorCode: documents.lastErrorCode,
      lastErrorReason: documents.lastErrorReason,
      autoSendSkipReason: documents.autoSendSkipReason,
      possibleDuplicateOf: documents.possibleDuplicateOf,
      createdAt: documents.createdAt,
    })
    .from(documents)
    .where(
      and(
        eq(documents.id, documentId),
        eq(documents.portalId, scope.portalId),
        eq(documents.dossierId, scope.dossierId),
      ),
    )
    .limit(1);
  if (!row) throw new NotFoundError();

  const [dispatchRows, attemptRows, possibleDuplicate] = await Promise.all([
    db
      .select({
        id: dispatches.id,
        trigger: dispatches.trigger,
        status: dispatches.status,
        target: dispatches.target,
        packageReference: dispatches.packageReference,
        createdAt: dispatches.createdAt,
        finishedAt: dispatches.finishedAt,
        failingSince: dispatches.failingSince,
        nextAttemptAt: dispatches.nextAttemptAt,
        waitingCode: dispatches.waitingCode,
        requesterName: users.name,
        requesterEmail: users.email,
      })
      .from(dispatches)
      .leftJoin(users, eq(users.id, dispatches.requestedByUserId))
      .where(and(eq(dispatches.documentId, row.id), eq(dispatches.portalId, scope.portalId)))
      .orderBy(desc(dispatches.createdAt), desc(dispatches.id)),
    db
      .select({
        id: attempts.id,
        dispatchId: attempts.dispatchId,
        number: attempts.number,
        connector: attempts.connector,
        target: attempts.target,
        outcome: attempts.outcome,
        errorCode: attempts.errorCode,
        reason: attempts.reason,
        packageReference: attempts.packageReference,
        startedAt: attempts.startedAt,
        finishedAt: attempts.finishedAt,
      })
      .from(attempts)
      .where(and(eq(attempts.documentId, row.id), eq(attempts.portalId, scope.portalId)))
      .orderBy(asc(attempts.startedAt), asc(attempts.number)),
    row.possibleDuplicateOf ? loadPossibleDuplicate(db, scope, row.possibleDuplicateOf) : Promise.resolve(null),
  ]);

  const attemptsByDispatch = new Map<string, AttemptEntry[]>();
  for (const { dispatchId, ...attempt } of await withTargetDescriptions(attemptRows)) {
    const list = attemptsByDispatch.get(dispatchId) ?? [];
    list.push(attempt);
    attemptsByDispatch.set(dispatchId, list);
  }
  const waiting = row.status === "sending" ? (dispatchRows.map(waitingViewOf).find(Boolean) ?? null) : null;
  const history: DispatchEntry[] = dispatchRows.map(
    ({ requesterName, requesterEmail, failingSince: _f, nextAttemptAt: _n, waitingCode: _w, ...dispatch }) => ({
      ...dispatch,
      requestedBy: requesterEmail ? { name: requesterName, email: requesterEmail } : null,
      attempts: attemptsByDispatch.get(dispatch.id) ?? [],
    }),
  );

  return { ...row, possibleDuplicate, allowed: allowedActionsOf(actor, scope, row), history, waiting };
}

/** The document a hold names, within the same dossier. */
async function loadPossibleDuplicate(
  db: DbOrTx,
  scope: DossierScope,
  documentId: string,
): Promise<PossibleDuplicateSummary | null> {
  const [other] = await db
    .select({
      id: documents.id,
      fileName: documents.fileName,
      status: documents.status,
      recognisedFields: documents.recognisedFields,
      createdAt: documents.createdAt,
    })
    .from(documents)
    .where(
      and(
        eq(documents.id, documentId),
        eq(documents.portalId, scope.portalId),
        eq(documents.dossierId, scope.dossierId),
      ),
    )
    .limit(1);
  if (!other) return null;
  const fields = other.recognisedFields;
  return {
    id: other.id,
    fileName: other.fileName,
    status: other.status,
    supplierName: fields.supplierName ?? null,
    invoiceNumber: fields.invoiceNumber ?? null,
    invoiceDate: fields.invoiceDate ?? null,
    totalAmount: fields.totalAmount ?? null,
    currency: fields.currency ?? null,
    createdAt: other.createdAt,
  };
}

/**
 * The dossier of a document known by its id alone (the REST API's /documents/{documentId}), once
 * `action` is authorized on it. Unknown, malformed and foreign ids all throw NotFoundError, as
 * resolveDossierScope does for dossiers; the services called next check the document again.
 */
export async function resolveDocumentScope(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  action: Action,
): Promise<DossierScope> {
  if (!guidSchema.safeParse(documentId).success) throw new NotFoundError();
  const [row] = await db
    .select({ portalId: documents.portalId, dossierId: documents.dossierId })
    .from(documents)
    .where(eq(documents.id, documentId))
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, action, row);
  return row;
}

/** getDocumentDetail for a document known by its id alone (the REST API): the one of its own dossier. */
export async function getDocumentDetailById(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentDetail> {
  const scope = await resolveDocumentScope(db, actor, documentId, "document.view");
  return getDocumentDetail(db, actor, scope.dossierId, documentId);
}

export type DocumentFile = { fileName: string; mimeType: string; content: Uint8Array };

/** A document's stored file being streamed: its name and type, and the bytes asked for. */
export type OpenedDocumentFile = { fileName: string; mimeType: string } & OpenedFile;

/**
 * The stored file of a document, whole in memory (the UBL preview, the REST API). Unknown,
 * malformed and foreign ids, and a file that is gone from the store, all throw NotFoundError.
 */
export async function getDocumentFile(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentFile> {
  const row = await storedFileOf(db, actor, documentId);
  const content = await readStoredFile(documentId, () => getFileStore().get(row.storageKey));
  return { fileName: row.fileName, mimeType: row.mimeType, content };
}

/**
 * The stored file of a document as a stream, whole or one range of it, for the file route's
 * previews and downloads (never the whole file in memory). The same checks and NotFoundError as
 * getDocumentFile; a range that selects no byte throws RangeNotSatisfiableError.
 */
export async function openDocumentFile(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  range?: ByteRange,
): Promise<OpenedDocumentFile> {
  const row = await storedFileOf(db, actor, documentId);
  const opened = await readStoredFile(documentId, () => getFileStore().open(row.storageKey, range));
  return { fileName: row.fileName, mimeType: row.mimeType, ...opened };
}

async function storedFileOf(db: DbOrTx, actor: Actor, documentId: string) {
  if (!guidSchema.safeParse(documentId).success) throw new NotFoundError();
  const [row] = await db
    .select({
      portalId: documents.portalId,
      dossierId: documents.dossierId,
      fileName: documents.fileName,
      mimeType: documents.mimeType,
      storageKey: documents.storageKey,
    })
    .from(documents)
    .where(eq(documents.id, documentId))
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, "document.view", { portalId: row.portalId, dossierId: row.dossierId });
  return row;
}

/** A file missing from the store is the document's 404 (and a line in the log for the operator). */
async function readStoredFile<T>(documentId: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FileNotFoundError) {
      console.error(`[documents] the file of document ${documentId} is missing from the store`);
      throw new NotFoundError();
    }
    throw error;
  }
}

/** What the document page shows of a UBL invoice or credit note instead of a rendered preview. */
export type UblSummary = {
  kind: "Invoice" | "CreditNote";
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  supplierName: string | null;
  customerName: string | null;
  /** The amount to pay, as written in the file (a decimal string). */
  payableAmount: string | null;
  currency: string | null;
  lineCount: number;
};

/**
 * A short reading of a UBL invoice or credit note for the document page: a thin view over the one
 * UBL reader (lib/ubl/read.ts). Null for content that is not UBL or that the reader refuses.
 */
export function summarizeUbl(content: Uint8Array): UblSummary | null {
  const read = readUbl(content);
  if (!read.ok) return null;
  const { document } = read;
  return {
    kind: document.kind,
    number: document.number,
    issueDate: document.issueDate,
    dueDate: document.dueDate,
    supplierName: document.supplier.name,
    customerName: document.customer.name,
    payableAmount: document.payableAmountText,
    currency: document.currency,
    lineCount: document.lines.length,
  };
}
