import type { SendableTab } from "@/lib/dispatch/schemas";
import type { AllowedDocumentActions } from "@/lib/documents/get";
import type { DocumentListItem, DocumentType } from "@/lib/documents/list";
import type { RecognitionView } from "@/lib/recognition/pending";

// Plain types shared by the document components, the dossier page and its routes (no runtime code,
// so client components can import them).

/** A row of the document list: the list item, its live state and what may be done with it. */
export type DocumentRow = DocumentListItem & {
  /** A code of lib/documents/refusals.ts: why the document was not sent automatically. */
  autoSendSkipReason: string | null;
  /** A read-back proved the package took it in (shown as Imported; the rules of Sent apply). */
  importedAt: Date | null;
  /** Held as a possible duplicate of this document (it is not sent until a person decides). */
  possibleDuplicateOf?: string | null;
  allowed: AllowedDocumentActions;
  /** Whether a missing type is being recognised or is the user's to pick (lib/recognition/pending.ts). */
  recognition: RecognitionView;
  /** The document's own page. */
  href: string;
  /** Sending and waiting out an outage: "waiting: … unreachable since 10:02, next try 10:15", said by the server. */
  waitingText?: string | null;
};

/** What happened to one uploaded file (POST /api/dossiers/:id/documents). */
export type UploadFileResult =
  | {
      fileName: string;
      ok: true;
      document: { id: string; fileName: string; status: string; documentType: DocumentType | null };
    }
  | {
      fileName: string;
      ok: false;
      status: number;
      code: string;
      messageKey: string;
      message: string;
      /** For code `duplicate_file`: the document of the dossier that already has this file. */
      existingDocumentId?: string;
    };

/** The live state of a document, as GET /api/dossiers/:id/documents/status answers it. */
export type LiveDocumentState = {
  id: string;
  status: DocumentListItem["status"];
  lastErrorReason: string | null;
};

type Result<T extends object> = ({ ok: true } & T) | { ok: false; error: { code: string; messageKey: string } };

/**
 * The server actions the document components call, handed down by the page (components never
 * import app/ code). The services behind them check the permission and every rule again.
 */
export type DocumentActionHandlers = {
  send(input: {
    dossierId: string;
    documentIds: string[];
    trigger: "manual" | "bulk" | "retry";
  }): Promise<Result<{ accepted: string[]; refused: { documentId: string; reason: string }[] }>>;
  /**
   * "Send all N in this tab" (the list only): the tab, never ids; the server finds the documents
   * and answers with counts, and with `nextCursor` when it stopped early (call again with it).
   */
  sendAll?(input: {
    dossierId: string;
    tab: SendableTab;
    after?: string;
  }): Promise<Result<{ queued: number; refused: { reason: string; count: number }[]; nextCursor: string | null }>>;
  setType(input: { dossierId: string; documentId: string; documentType: DocumentType }): Promise<Result<object>>;
  remove(input: { dossierId: string; documentId: string }): Promise<Result<object>>;
  archive(input: { dossierId: string; documentId: string }): Promise<Result<object>>;
  unarchive(input: { dossierId: string; documentId: string }): Promise<Result<object>>;
};

/**
 * A row of the document list as the browser gets it (components/documents/list-rows.ts makes it
 * from a DocumentRow on the server): what the row shows, formatted, and nothing more. Fields that
 * most rows do not need are left out rather than sent empty; the list renders the markup from it
 * in the browser and on the server alike, so each row travels once as markup and once as this.
 */
export type ListRow = {
  id: string;
  fileName: string;
  status: DocumentListItem["status"];
  documentType: DocumentType | null;
  /** Only for a document without a type: being recognised, or the user's to pick. */
  recognition?: RecognitionView;
  /** The date on the document, or the day it arrived (`isReceivedDate`), formatted. */
  date: string;
  isReceivedDate?: true;
  supplierName: string | null;
  /** The total with its currency, formatted. */
  amount: string | null;
  isImported?: true;
  isPossibleDuplicate?: true;
  /** Failed or rejected: why (a message key, or the package's own words). */
  lastErrorReason?: string;
  /** Inbox: why it was not sent automatically (a code of lib/documents/refusals.ts). */
  autoSendSkipReason?: string;
  /** Sending and waiting out an outage: "waiting: … unreachable since 10:02, next try 10:15". */
  waitingText?: string;
  /** The actions the rules allow (the keys of AllowedDocumentActions that are true). */
  allowed: (keyof AllowedDocumentActions)[];
};
