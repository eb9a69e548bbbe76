import { MAX_DOCUMENT_BYTES, UBL_NAMESPACES } from "@/lib/documents/sniff";
import type { UblDocument, UblIdentifier, UblLine, UblParty, UblReadResult, UblTaxSubtotal } from "./types";
import { attributeValue, readXml, type XmlElement } from "./xml";

/**
 * Koppel's one UBL reader: a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0) read from its
 * bytes into a UblDocument, or refused with a reason. Pure: no database, no network, no file
 * system; it never fetches anything and expands no entity but the five XML predefines and
 * numeric character references (lib/ubl/xml.ts says how, and why not fast-xml-parser).
 *
 * Elements are matched on namespace URIs, never on prefixes: `cbc:ID`, `b:ID` and a default
 * namespace are the same element.
 */

/** Deepest nesting accepted. A Peppol invoice is about 8 deep; UBL's deepest paths stay under 20. */
export const MAX_UBL_DEPTH = 64;

/**
 * Most elements and attributes (together) accepted. A Peppol invoice line is about 30 of them, so
 * this takes invoices of some 8,000 lines; a file of more (20 MB of `<a/>` would be five million
 * elements) is refused as "tooLarge" before it fills memory.
 */
export const MAX_UBL_NODES = 250_000;

/** Text values are trimmed, their whitespace collapsed, and cut to this many characters. */
export const MAX_UBL_TEXT = 200;

export const UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
export const UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/**
 * A DOCTYPE or ENTITY declaration anywhere (also inside comments or CDATA: a UBL file has no
 * reason to spell one, and refusing is cheaper than being clever).
 */
const FORBIDDEN_DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;

/** Reads a UBL Invoice or CreditNote; see UblReadRefusal for why a file is refused. */
export function readUbl(content: Uint8Array): UblReadResult {
  if (content.byteLength > MAX_DOCUMENT_BYTES) return { ok: false, reason: "tooLarge" };
  const xml = decodeXml(content);
  if (xml === null) return { ok: false, reason: "malformed" };
  if (FORBIDDEN_DECLARATION.test(xml)) return { ok: false, reason: "forbiddenDeclaration" };

  const tree = readXml(xml, { maxDepth: MAX_UBL_DEPTH, maxNodes: MAX_UBL_NODES });
  if (!tree.ok) return { ok: false, reason: tree.reason === "tooManyNodes" ? "tooLarge" : tree.reason };
  const { root } = tree;
  if (root.localName !== "Invoice" && root.localName !== "CreditNote") return { ok: false, reason: "malformed" };
  if (root.namespace !== UBL_NAMESPACES[root.localName]) return { ok: false, reason: "malformed" };
  return { ok: true, document: documentOf(root, root.localName) };
}

/**
 * UTF-8 (with or without a byte order mark) or UTF-16 with its byte order mark, the encodings XML
 * parsers must know; bytes that are not valid in that encoding give null.
 */
function decodeXml(content: Uint8Array): string | null {
  try {
    if (content[0] === 0xfe && content[1] === 0xff) {
      return new TextDecoder("utf-16be", { fatal: true }).decode(content.subarray(2));
    }
    if (content[0] === 0xff && content[1] === 0xfe) {
      return new TextDecoder("utf-16le", { fatal: true }).decode(content.subarray(2));
    }
    const hasUtf8Bom = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf;
    return new TextDecoder("utf-8", { fatal: true }).decode(hasUtf8Bom ? content.subarray(3) : content);
  } catch {
    return null;
  }
}

// --- Walking the tree by namespace URI ----------------------------------------------------------

function childrenOf(element: XmlElement | null | undefined, namespace: string, localName: string): XmlElement[] {
  if (!element) return [];
  return element.children.filter((child) => child.localName === localName && child.namespace === namespace);
}

function childOf(element: XmlElement | null | undefined, namespace: string, localName: string): XmlElement | null {
  if (!element) return null;
  return element.children.find((child) => child.localName === localName && child.namespace === namespace) ?? null;
}

/** An aggregate (cac:) child. */
const cac = (element: XmlElement | null | undefined, localName: string) => childOf(element, UBL_CAC, localName);
/** A basic (cbc:) child. */
const cbc = (element: XmlElement | null | undefined, localName: string) => childOf(element, UBL_CBC, localName);

/** Trimmed, whitespace collapsed, bounded; null when empty. */
function boundedText(value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.replace(/\s+/g, " ").trim();
  return text ? text.slice(0, MAX_UBL_TEXT) : null;
}

const textOf = (element: XmlElement | null | undefined) => boundedText(element?.text);
const attributeOf = (element: XmlElement | null | undefined, name: string) =>
  boundedText(element ? attributeValue(element, name) : undefined);

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The decimal as written (trimmed) when it is one, else null. */
function decimalTextOf(element: XmlElement | null | undefined): string | null {
  const text = element?.text.trim() ?? "";
  return text.length <= 40 && DECIMAL.test(text) ? text : null;
}

function numberOf(element: XmlElement | null | undefined): number | null {
  const text = decimalTextOf(element);
  if (text === null) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** YYYY-MM-DD when the text is a real calendar date (an xsd:date time zone suffix is dropped). */
function dateOf(element: XmlElement | null | undefined): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$/.exec(element?.text.trim() ?? "");
  if (!match) return null;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

function currencyCodeOf(value: string | null): string | null {
  const code = value?.trim().toUpperCase() ?? "";
  return /^[A-Z]{3}$/.test(code) ? code : null;
}

// --- The document -------------------------------------------------------------------------------

function documentOf(root: XmlElement, kind: UblDocument["kind"]): UblDocument {
  const payable = cbc(cac(root, "LegalMonetaryTotal"), "PayableAmount");
  const currency =
    currencyCodeOf(textOf(cbc(root, "DocumentCurrencyCode"))) ?? currencyCodeOf(attributeOf(payable, "currencyID"));
  const taxTotal = documentTaxTotal(root, currency);
  const lineName = kind === "Invoice" ? "InvoiceLine" : "CreditNoteLine";

  return {
    kind,
    number: textOf(cbc(root, "ID")),
    issueDate: dateOf(cbc(root, "IssueDate")),
    dueDate:
      dateOf(cbc(root, "DueDate")) ??
      childrenOf(root, UBL_CAC, "PaymentMeans")
        .map((means) => dateOf(cbc(means, "PaymentDueDate")))
        .find((date) => date !== null) ??
      null,
    currency,
    payableAmount: numberOf(payable),
    payableAmountText: decimalTextOf(payable),
    vatTotal: numberOf(cbc(taxTotal, "TaxAmount")),
    taxSubtotals: childrenOf(taxTotal, UBL_CAC, "TaxSubtotal").map(taxSubtotalOf),
    supplier: partyOf(cac(cac(root, "AccountingSupplierParty"), "Party")),
    customer: partyOf(cac(cac(root, "AccountingCustomerParty"), "Party")),
    lines: childrenOf(root, UBL_CAC, lineName).map((line) => lineOf(line, kind)),
    embeddedPdf: embeddedPdfOf(root),
  };
}

/**
 * The TaxTotal in the document currency. Peppol BIS 3 allows a second TaxTotal holding only the
 * VAT in the accounting (tax) currency; it is told apart by its TaxAmount's currencyID. Without a
 * known document currency, the first TaxTotal.
 */
function documentTaxTotal(root: XmlElement, currency: string | null): XmlElement | null {
  const totals = childrenOf(root, UBL_CAC, "TaxTotal");
  if (currency === null) return totals[0] ?? null;
  return (
    totals.find((total) => {
      const amountCurrency = currencyCodeOf(attributeOf(cbc(total, "TaxAmount"), "currencyID"));
      return amountCurrency === null || amountCurrency === currency;
    }) ?? null
  );
}

function taxSubtotalOf(subtotal: XmlElement): UblTaxSubtotal {
  const category = cac(subtotal, "TaxCategory");
  return {
    category: textOf(cbc(category, "ID"))?.toUpperCase() ?? null,
    percent: numberOf(cbc(category, "Percent")),
    taxableAmount: numberOf(cbc(subtotal, "TaxableAmount")),
    taxAmount: numberOf(cbc(subtotal, "TaxAmount")),
  };
}

function lineOf(line: XmlElement, kind: UblDocument["kind"]): UblLine {
  const item = cac(line, "Item");
  const quantity = cbc(line, kind === "Invoice" ? "InvoicedQuantity" : "CreditedQuantity");
  return {
    description: textOf(cbc(item, "Name")) ?? textOf(cbc(item, "Description")) ?? textOf(cbc(line, "Note")),
    quantity: numberOf(quantity),
    unitCode: attributeOf(quantity, "unitCode"),
    amount: numberOf(cbc(line, "LineExtensionAmount")),
  };
}

/** A VAT or company number without spaces, dots, dashes or slashes, upper-case. */
export function compactIdentifier(value: string): string {
  return value.replace(/[\s.\-/]/g, "").toUpperCase();
}

function identifierOf(element: XmlElement | null): UblIdentifier | null {
  const value = textOf(element);
  return value === null ? null : { value, scheme: attributeOf(element, "schemeID") };
}

function partyOf(party: XmlElement | null): UblParty {
  const taxSchemes = childrenOf(party, UBL_CAC, "PartyTaxScheme");
  const vatScheme = taxSchemes.find(
    (scheme) =>
      textOf(cbc(cac(scheme, "TaxScheme"), "ID"))?.toUpperCase() === "VAT" && textOf(cbc(scheme, "CompanyID")),
  );
  const vatText = textOf(cbc(vatScheme, "CompanyID"));
  const legalEntities = childrenOf(party, UBL_CAC, "PartyLegalEntity");

  const identifiers = [
    identifierOf(cbc(party, "EndpointID")),
    ...childrenOf(party, UBL_CAC, "PartyIdentification").map((identification) =>
      identifierOf(cbc(identification, "ID")),
    ),
    ...taxSchemes.map((scheme) => identifierOf(cbc(scheme, "CompanyID"))),
    ...legalEntities.map((entity) => identifierOf(cbc(entity, "CompanyID"))),
  ].filter((identifier): identifier is UblIdentifier => identifier !== null);

  return {
    name:
      legalEntities.map((entity) => textOf(cbc(entity, "RegistrationName"))).find((name) => name !== null) ??
      childrenOf(party, UBL_CAC, "PartyName")
        .map((partyName) => textOf(cbc(partyName, "Name")))
        .find((name) => name !== null) ??
      null,
    vatNumber: vatText === null ? null : compactIdentifier(vatText) || null,
    identifiers,
  };
}

const PDF_MAGIC = "%PDF-";
/** Base64 with line breaks anywhere and at most two `=` at the end (checked without copying 20 MB). */
const BASE64_TEXT = /^[A-Za-z0-9+/ \t\r\n]*(?:=[ \t\r\n]*){0,2}$/;

/** The first embedded attachment that is really a PDF (mimeCode and bytes agree), decoded. */
function embeddedPdfOf(root: XmlElement): UblDocument["embeddedPdf"] {
  for (const reference of childrenOf(root, UBL_CAC, "AdditionalDocumentReference")) {
    const binary = cbc(cac(reference, "Attachment"), "EmbeddedDocumentBinaryObject");
    if (!binary || attributeOf(binary, "mimeCode")?.toLowerCase() !== "application/pdf") continue;
    if (!BASE64_TEXT.test(binary.text)) continue;
    // Buffer's decoder skips the line breaks; the copy gives a plain Uint8Array of its own.
    const content = new Uint8Array(Buffer.from(binary.text, "base64"));
    if (String.fromCharCode(...content.subarray(0, PDF_MAGIC.length)) !== PDF_MAGIC) continue;
    return { fileName: attributeOf(binary, "filename"), content };
  }
  return null;
}
