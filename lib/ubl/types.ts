/**
 * What Koppel reads from a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0): the shape
 * lib/ubl/read.ts produces and everything else (arrival typing, duplicate checks, delivery
 * companions, the PDF rendering, the document page) consumes. The XML is the truth: these values
 * are read from it, never guessed.
 */

/** One identifier of a party as written in the file, with the scheme that qualifies it (0208, 9925, VAT…). */
export type UblIdentifier = { value: string; scheme: string | null };

export type UblParty = {
  /** RegistrationName, else PartyName/Name. */
  name: string | null;
  /** PartyTaxScheme/CompanyID where its TaxScheme is VAT, normalised (no spaces or dots, upper-case). */
  vatNumber: string | null;
  /**
   * Every identifier the party carries: EndpointID, PartyIdentification/ID,
   * PartyTaxScheme/CompanyID and PartyLegalEntity/CompanyID, each with its schemeID.
   */
  identifiers: UblIdentifier[];
};

/** A tax subtotal: one VAT category and rate. */
export type UblTaxSubtotal = {
  /** Category code (S, Z, E, AE, K, G, O, L, M). */
  category: string | null;
  /** Percent, e.g. 21. */
  percent: number | null;
  taxableAmount: number | null;
  taxAmount: number | null;
};

export type UblLine = {
  description: string | null;
  quantity: number | null;
  unitCode: string | null;
  /** The line's net amount (LineExtensionAmount), signed as written. */
  amount: number | null;
};

export type UblDocument = {
  /** The root element decides, never the amount's sign. */
  kind: "Invoice" | "CreditNote";
  /** cbc:ID. */
  number: string | null;
  /** YYYY-MM-DD, only when a real calendar date. */
  issueDate: string | null;
  /** cbc:DueDate, else PaymentMeans/PaymentDueDate; YYYY-MM-DD or null. */
  dueDate: string | null;
  /** DocumentCurrencyCode, else the PayableAmount's currencyID; upper-case ISO 4217. */
  currency: string | null;
  /** LegalMonetaryTotal/PayableAmount as a number, signed as written. */
  payableAmount: number | null;
  /** The same as written in the file (a decimal string), for display. */
  payableAmountText: string | null;
  /** TaxTotal/TaxAmount in the document currency. */
  vatTotal: number | null;
  taxSubtotals: UblTaxSubtotal[];
  supplier: UblParty;
  customer: UblParty;
  lines: UblLine[];
  /**
   * The first AdditionalDocumentReference/Attachment/EmbeddedDocumentBinaryObject whose mimeCode
   * is application/pdf (and whose bytes really start with %PDF-), decoded; null when there is none.
   */
  embeddedPdf: { fileName: string | null; content: Uint8Array } | null;
};

/** Why a file that looked like UBL could not be read; the document stays in the Inbox with this reason. */
export type UblReadRefusal =
  /** Not well-formed XML, or an Invoice/CreditNote root without the UBL namespace. */
  | "malformed"
  /** A DOCTYPE or ENTITY declaration: UBL has none, and it is where entity attacks live. */
  | "forbiddenDeclaration"
  /** Nesting deeper than the reader allows (MAX_UBL_DEPTH). */
  | "tooDeep"
  /** Larger than MAX_DOCUMENT_BYTES, or more elements and attributes than MAX_UBL_NODES (lib/ubl/read.ts). */
  | "tooLarge";

export type UblReadResult = { ok: true; document: UblDocument } | { ok: false; reason: UblReadRefusal };

/** Which side of the document a dossier is on. */
export type UblDirection =
  /** The dossier is the buyer (AccountingCustomerParty): a purchase invoice or credit note. */
  | "purchase"
  /** The dossier is the seller (AccountingSupplierParty): a sales invoice or credit note. */
  | "sales"
  /** The dossier is neither party: "this invoice is addressed to another company". */
  | "otherCompany";

/** The numbers a dossier is known by (dossiers.company_number, dossiers.vat_number). */
export type DossierNumbers = { companyNumber: string; vatNumber: string | null };
