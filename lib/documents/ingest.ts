import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { withAutoSendView } from "@/lib/dispatch/auto-send";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { AppError, isUniqueViolation, ValidationError } from "@/lib/errors";
import { getFileStore } from "@/lib/storage";
import { stripInvisibleCharacters } from "@/lib/text/visible";
import { DuplicateFileError, findDocumentWithFile } from "./duplicates";
import { dossierNumbersOf, readEInvoice } from "./einvoice";
import { type RecognisedFieldsInput, recognisedFieldsSchema } from "./fields";
import { type DocumentSource, receiveDocument } from "./life";
import type { DocumentStatus, DocumentType } from "./list";
import type { ReceivedFile } from "./receive-file";
import { documentTypeSchema } from "./schemas";
import { type DetectedFileType, type SniffRefusal, type SniffResult, sniffDocument } from "./sniff";

export type IngestDocumentInput = {
  dossierId: string;
  source: DocumentSource;
  /** As the sender named it; only used (sanitized) for display and delivery, never for storage. */
  fileName: string;
  content: Uint8Array;
  /** Known at arrival (sales module, an upload with a type): the document is recognised at once. */
  documentType?: DocumentType | null;
  fields?: RecognisedFieldsInput;
};

/** What the caller gets back: ids and the public facts, no storage key. */
export type IngestedDocument = {
  id: string;
  dossierId: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  documentType: DocumentType | null;
  status: DocumentStatus;
  /** Held as a possible duplicate of this earlier document of the dossier (lib/documents/duplicates.ts). */
  possibleDuplicateOf: string | null;
};

/** The refusal of a file: 400 empty, 413 too large, 415 not a type we take. */
const REFUSALS: Record<SniffRefusal, { messageKey: string; httpStatus: number }> = {
  empty: { messageKey: "upload.empty", httpStatus: 400 },
  tooLarge: { messageKey: "upload.tooLarge", httpStatus: 413 },
  unsupportedType: { messageKey: "upload.unsupportedType", httpStatus: 415 },
};

/** The file a document cannot be: empty, over 20 MB, or not PDF/JPEG/PNG/UBL. */
export class FileRefusedError extends AppError {
  readonly reason: SniffRefusal;
  constructor(reason: SniffRefusal) {
    super("validation_failed", REFUSALS[reason].messageKey, REFUSALS[reason].httpStatus);
    this.name = "FileRefusedError";
    this.reason = reason;
  }
}

const ingestFieldsSchema = z.object({ fields: recognisedFieldsSchema });

const MAX_FILE_NAME_LENGTH = 120;
// Reserved on Windows and awkward on FTP servers and in mail headers.
const RESERVED = /[<>:"|?*\\/]/g;

/**
 * A file name that is safe to show, to attach to a mail and to hand to a package: no path parts,
 * no control or bidi characters, bounded length, and an extension that matches what the file
 * really is ("scan.jpg" that is a PDF becomes "scan.pdf").
 */
export function sanitizeFileName(fileName: string, type: DetectedFileType): string {
  // Browsers and mail clients may send a full path ("C:\Users\…\factuur.pdf"); keep the last part.
  const lastPart = fileName.split(/[\\/]/).pop() ?? "";
  let name = stripInvisibleCharacters(lastPart).replace(RESERVED, "_").replace(/\s+/g, " ").trim();
  // No hidden files and no ".." left over.
  name = name.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");

  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const knownExtensions = [type.extension, ...type.alternativeExtensions];
  let base: string;
  let keptExtension: string;
  if (knownExtensions.includes(extension)) {
    base = name.slice(0, dot);
    keptExtension = extension;
  } else {
    // A short letters-only extension of another type ("exe", "docx", "jpg") is replaced; anything
    // else ("report.2024") is part of the name.
    base = dot > 0 && /^[a-z]{2,4}$/.test(extension) ? name.slice(0, dot) : name;
    keptExtension = type.extension;
  }
  base = base.replace(/[.\s]+$/, "");
  // Count characters, not UTF-16 units, so a cut never splits an emoji or an accented letter.
  const chars = Array.from(base);
  const room = MAX_FILE_NAME_LENGTH - keptExtension.length - 1;
  if (chars.length > room) base = chars.slice(0, room).join("").trimEnd();
  return `${base || "document"}.${keptExtension}`;
}

/**
 * The one way a document enters Koppel (upload, sales module, mail-in, REST API): checks the
 * actor may upload to the dossier, refuses files that are empty, too large or of a type we do not
 * take (judged by content), refuses a file the dossier already has (DuplicateFileError, naming
 * that document), stores the bytes under our own key, then inserts the row (and, with fields, the
 * possible-duplicate check: lib/documents/duplicates.ts). A document
 * that arrives with a type is recognised at once and auto-send gets its chance.
 *
 * `db` must not be an open transaction: the event is sent once the row is committed.
 */
export async function ingestDocument(db: DbOrTx, actor: Actor, input: IngestDocumentInput): Promise<IngestedDocument> {
  const { content } = input;
  return ingestFile(db, actor, input, (scope) => {
    const id = randomUUID();
    return {
      id,
      storageKey: `${scope.portalId}/${scope.dossierId}/${id}`,
      sizeBytes: content.byteLength,
      sha256: createHash("sha256").update(content).digest("hex"),
      sniffed: sniffDocument(content),
      isStored: false,
      readContent: async () => content,
    };
  });
}

/**
 * ingestDocument for a file an upload already streamed into the store (lib/documents/receive-file.ts):
 * the same checks in the same order, from the size, hash and first bytes taken on the way. A UBL
 * e-invoice is read back from the store to be read (XML invoices are small; the others are never
 * read whole). Whatever refuses it (its bytes, a duplicate, the permission, the database), its
 * stored bytes are deleted: no file without a document.
 */
export async function ingestReceivedFile(
  db: DbOrTx,
  actor: Actor,
  input: Omit<IngestDocumentInput, "content" | "fileName">,
  file: ReceivedFile & { documentId: string },
): Promise<IngestedDocument> {
  const store = getFileStore();
  try {
    if (file.storeError) throw file.storeError;
    return await ingestFile(db, actor, { ...input, fileName: file.fileName }, () => ({
      id: file.documentId,
      storageKey: file.storageKey,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
      sniffed: file.sniffed,
      isStored: file.stored,
      readContent: () => store.get(file.storageKey),
    }));
  } catch (error) {
    if (file.stored) await deleteStoredFile(file.storageKey);
    throw error;
  }
}

/** A file on its way in: what ingestFile needs to judge it, whether or not its bytes are in memory. */
type IncomingFile = {
  id: string;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  sniffed: SniffResult;
  /** Already under storageKey (a streamed upload); otherwise readContent's bytes are put there. */
  isStored: boolean;
  readContent(): Promise<Uint8Array>;
};

async function deleteStoredFile(storageKey: string): Promise<void> {
  await getFileStore()
    .delete(storageKey)
    .catch((deleteError: unknown) => {
      console.error(
        `[documents] could not remove the file of a document that was not stored (${storageKey})`,
        deleteError,
      );
    });
}

async function ingestFile(
  db: DbOrTx,
  actor: Actor,
  input: Omit<IngestDocumentInput, "content">,
  fileOf: (scope: { portalId: string; dossierId: string }) => IncomingFile,
): Promise<IngestedDocument> {
  const scope = await resolveDossierScope(db, actor, input.dossierId, "document.upload");

  let documentType: DocumentType | null = null;
  if (input.documentType !== undefined && input.documentType !== null) {
    const parsed = documentTypeSchema.safeParse(input.documentType);
    if (!parsed.success) throw new ValidationError({ documentType: ["document.invalidType"] });
    documentType = parsed.data;
  }
  // Wrapped, so a refused field is reported as "fields.invoiceDate", as the caller named it.
  let { fields } = parseInput(ingestFieldsSchema, { fields: input.fields ?? {} });

  const file = fileOf(scope);
  // Judged by the bytes (empty, then size, then type), never by the name or a browser's content type.
  const { sniffed } = file;
  if (!sniffed.ok) throw new FileRefusedError(sniffed.reason);

  // An e-invoice says what it is: typed from its own XML at arrival (the XML wins over a type or
  // fields given with it); one addressed to another company, or unreadable, waits in the Inbox.
  let readFrom: "einvoice" | undefined;
  if (sniffed.type.kind === "ubl") {
    const reading = readEInvoice(await file.readContent(), await dossierNumbersOf(db, scope.dossierId));
    documentType = reading.kind === "typed" ? reading.documentType : null;
    if (reading.kind !== "unreadable") {
      fields = { ...fields, ...reading.fields };
      readFrom = "einvoice";
    }
  }

  const { id, storageKey, sha256 } = file;
  const fileName = sanitizeFileName(input.fileName, sniffed.type);
  // The same file twice in one dossier is refused (the unique index settles a race, below).
  const existingId = await findDocumentWithFile(db, scope, sha256);
  if (existingId) throw new DuplicateFileError(existingId);

  if (!file.isStored) {
    const content = await file.readContent();
    await getFileStore()
      .put(storageKey, content, { contentType: sniffed.type.mimeType })
      .catch((error: unknown) => {
        // The person is told the store is full or failing; the operator needs the cause.
        console.error(`[documents] the file store could not keep a file (${storageKey})`, error);
        throw error;
      });
  }
  let row: IngestedDocument;
  try {
    // Stored and, when it has a type, given auto-send's chance in one transaction.
    row = await withAutoSendView(db, (tx) =>
      receiveDocument(tx, actor, {
        id,
        portalId: scope.portalId,
        dossierId: scope.dossierId,
        source: input.source,
        fileName,
        mimeType: sniffed.type.mimeType,
        sizeBytes: file.sizeBytes,
        sha256,
        storageKey,
        documentType,
        recognisedFields: fields,
        readFrom,
      }),
    );
  } catch (error) {
    // No row, no file: a file nobody can reach would only take space.
    await deleteStoredFile(storageKey);
    // The same file arrived at the same moment and its document was stored first.
    if (isUniqueViolation(error, "documents_dossier_sha256_uq")) {
      const winnerId = await findDocumentWithFile(db, scope, sha256);
      if (winnerId) throw new DuplicateFileError(winnerId);
    }
    throw error;
  }

  return row;
}

export type IngestSalesInvoiceInput = {
  dossierId: string;
  fileName: string;
  content: Uint8Array;
  fields: RecognisedFieldsInput;
};

/**
 * The sales module's entry point: its invoices arrive recognised (sales invoice, with the fields
 * it knows) through the same ingestion service.
 */
export async function ingestSalesInvoice(
  db: DbOrTx,
  actor: Actor,
  input: IngestSalesInvoiceInput,
): Promise<IngestedDocument> {
  return ingestDocument(db, actor, { ...input, source: "sales", documentType: "sales_invoice" });
}
