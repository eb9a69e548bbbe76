import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { getFileStore } from "@/lib/storage";
import { documentTypeOf, ublDirection } from "@/lib/ubl/parties";
import { readUbl } from "@/lib/ubl/read";
import type { DossierNumbers, UblDocument, UblReadRefusal } from "@/lib/ubl/types";
import { type RecognisedFields, recognisedFieldsSchema } from "./fields";
import type { DocumentType } from "./list";
import { UBL_MIME_TYPE } from "./sniff";

/**
 * E-invoices (UBL 2.1 / Peppol BIS 3) need no recognition: the XML says what they are. Every way
 * in reads them here at arrival; the XML stays the truth afterwards, so a recognition result that
 * contradicts it is refused (a person may still correct the type by hand, and that is recorded).
 */
export type EInvoiceReading =
  /** The dossier is the buyer or the seller: a typed document with the fields the XML carries. */
  | { kind: "typed"; documentType: DocumentType; fields: RecognisedFields; document: UblDocument }
  /** The dossier is neither party: left in the Inbox with that reason, never guessed. */
  | { kind: "otherCompany"; fields: RecognisedFields; document: UblDocument }
  /** Malformed, hostile or too deep: left in the Inbox with the reason. */
  | { kind: "unreadable"; reason: UblReadRefusal };

/** Credit notes are stored with negative amounts (fields.ts); an invoice keeps the sign it was written with. */
function signed(amount: number | null, kind: UblDocument["kind"]): number | undefined {
  if (amount === null) return undefined;
  return kind === "CreditNote" ? -Math.abs(amount) : amount;
}

/**
 * The fields Koppel keeps, from the XML: the seller (supplier name and VAT number), number, dates,
 * amount to pay, VAT total and currency. A value the fields schema refuses (an odd VAT number) is
 * left out rather than refusing the document.
 */
export function fieldsOfUbl(document: UblDocument): RecognisedFields {
  const candidate: Record<string, unknown> = {
    supplierName: document.supplier.name ?? undefined,
    vatNumber: document.supplier.vatNumber ?? undefined,
    invoiceNumber: document.number ?? undefined,
    invoiceDate: document.issueDate ?? undefined,
    dueDate: document.dueDate ?? undefined,
    totalAmount: signed(document.payableAmount, document.kind),
    vatAmount: signed(document.vatTotal, document.kind),
    currency: document.currency ?? undefined,
  };
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(candidate)) {
    if (value === undefined) continue;
    const parsed = recognisedFieldsSchema.safeParse({ [name]: value });
    if (parsed.success) Object.assign(fields, parsed.data);
  }
  return recognisedFieldsSchema.parse(fields);
}

/** Reads a UBL file for a dossier: its type from the root element and the dossier's side of it. */
export function readEInvoice(content: Uint8Array, dossier: DossierNumbers): EInvoiceReading {
  const read = readUbl(content);
  if (!read.ok) return { kind: "unreadable", reason: read.reason };
  const fields = fieldsOfUbl(read.document);
  const direction = ublDirection(read.document, dossier);
  if (direction === "otherCompany") return { kind: "otherCompany", fields, document: read.document };
  return {
    kind: "typed",
    documentType: documentTypeOf(read.document.kind, direction),
    fields,
    document: read.document,
  };
}

/** The numbers a dossier is known by, for matching it against an e-invoice's parties. */
export async function dossierNumbersOf(db: DbOrTx, dossierId: string): Promise<DossierNumbers> {
  const [row] = await db
    .select({ companyNumber: dossiers.companyNumber, vatNumber: dossiers.vatNumber })
    .from(dossiers)
    .where(eq(dossiers.id, dossierId))
    .limit(1);
  if (!row) throw new Error(`dossier ${dossierId} not found`);
  return row;
}

/** The e-invoice reading of a stored document by its id, or null when it is not an XML document. */
export async function eInvoiceReadingOfDocument(
  db: DbOrTx,
  documentId: string,
  scope: { portalId?: string } = {},
): Promise<EInvoiceReading | null> {
  const [row] = await db
    .select({ dossierId: documents.dossierId, mimeType: documents.mimeType, storageKey: documents.storageKey })
    .from(documents)
    .where(
      scope.portalId
        ? and(eq(documents.id, documentId), eq(documents.portalId, scope.portalId))
        : eq(documents.id, documentId),
    )
    .limit(1);
  return row ? eInvoiceReadingOf(db, row) : null;
}

/**
 * The e-invoice reading of a document whose row the caller has already read (the recognition
 * check: recordRecognition loaded it), or null when it is not an XML document.
 */
async function eInvoiceReadingOf(db: DbOrTx, document: StoredDocumentFile): Promise<EInvoiceReading | null> {
  if (document.mimeType !== UBL_MIME_TYPE) return null;
  const content = await getFileStore().get(document.storageKey);
  return readEInvoice(content, await dossierNumbersOf(db, document.dossierId));
}

/** The columns of a document that say whether it is an e-invoice and where its XML is. */
export type StoredDocumentFile = { dossierId: string; mimeType: string; storageKey: string };

/** Cents are the precision of an invoice; anything closer is the same amount. */
const AMOUNT_TOLERANCE = 0.005;

export type EInvoiceContradiction = "type" | "amount" | "otherCompany";

/** How a recognition result goes against the XML, or null when it agrees (or the XML cannot say). */
export function contradictionOf(
  reading: EInvoiceReading,
  recognition: { documentType: DocumentType; fields: RecognisedFields },
): EInvoiceContradiction | null {
  if (reading.kind === "unreadable") return null;
  if (reading.kind === "otherCompany") return "otherCompany";
  if (recognition.documentType !== reading.documentType) return "type";
  const { totalAmount } = recognition.fields;
  const expected = reading.fields.totalAmount;
  if (totalAmount !== undefined && expected !== undefined && Math.abs(totalAmount - expected) > AMOUNT_TOLERANCE) {
    return "amount";
  }
  return null;
}

/** A recognition result that contradicts the e-invoice's own XML: 409, nothing changes. */
export class EInvoiceContradictionError extends AppError {
  readonly contradiction: EInvoiceContradiction;
  readonly expected: { documentType: DocumentType | null; totalAmount: number | null; currency: string | null };

  constructor(contradiction: EInvoiceContradiction, reading: Exclude<EInvoiceReading, { kind: "unreadable" }>) {
    const amount = reading.fields.totalAmount;
    super("conflict", `document.eInvoiceContradiction.${contradiction}`, 409, {
      messageValues:
        amount === undefined ? undefined : { expected: `${amount.toFixed(2)} ${reading.fields.currency ?? ""}`.trim() },
    });
    this.name = "EInvoiceContradictionError";
    this.contradiction = contradiction;
    this.expected = {
      documentType: reading.kind === "typed" ? reading.documentType : null,
      totalAmount: reading.fields.totalAmount ?? null,
      currency: reading.fields.currency ?? null,
    };
  }
}

/**
 * Checks a recognition result against the document's XML when it is an e-invoice: throws
 * EInvoiceContradictionError when it contradicts the type or the amount, and returns the fields to
 * store (the XML's, which win over what recognition read). Returns the recognition's own fields
 * for any other document.
 */
export async function checkRecognitionAgainstEInvoice(
  db: DbOrTx,
  document: StoredDocumentFile,
  recognition: { documentType: DocumentType; fields: RecognisedFields },
): Promise<RecognisedFields> {
  const reading = await eInvoiceReadingOf(db, document);
  if (!reading || reading.kind === "unreadable") return recognition.fields;
  const contradiction = contradictionOf(reading, recognition);
  if (contradiction) throw new EInvoiceContradictionError(contradiction, reading);
  return { ...recognition.fields, ...reading.fields };
}

/** Why an e-invoice waits in the Inbox unrecognised, for the document page. */
export type EInvoiceNotice =
  | { kind: "otherCompany"; customerName: string | null }
  | { kind: "unreadable"; reason: UblReadRefusal };

/** The notice for an unrecognised UBL document's content, or null when the XML typed it. */
export function eInvoiceNoticeOf(content: Uint8Array, dossier: DossierNumbers): EInvoiceNotice | null {
  const reading = readEInvoice(content, dossier);
  if (reading.kind === "otherCompany") return { kind: "otherCompany", customerName: reading.document.customer.name };
  if (reading.kind === "unreadable") return { kind: "unreadable", reason: reading.reason };
  return null;
}
