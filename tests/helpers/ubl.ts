/**
 * Builds Peppol BIS Billing 3.0 UBL documents for tests: an Invoice or CreditNote between two
 * Belgian companies, with sensible defaults for everything, so a test states only what it is
 * about.
 *
 *   ublInvoiceXml()                                          // purchase invoice of 121.00 EUR to DOSSIER_COMPANY_NUMBER
 *   ublInvoiceXml({ number: "F-2", payableAmount: "-50.00" }) // an invoice with a negative amount
 *   ublInvoiceXml({ kind: "CreditNote" })
 *   ublInvoiceXml({ supplier: UBL_DOSSIER_PARTY, customer: UBL_OTHER_PARTY }) // a sales invoice
 *   ublInvoiceXml({ embeddedPdf: buildSamplePdf({ title: "x" }) })
 *   ublBytes({ ... })                                        // the same as UTF-8 bytes, ready to upload
 *
 * The hand-written samples in tests/fixtures/ubl/ (realistic Peppol BIS 3 files) are read with
 * ublFixture("purchase-invoice.xml").
 *
 * Values are XML-escaped. The defaults: supplier "Drukkerij Peeters BV" (BE0202239951), customer
 * the test dossier (enterprise number 0123456749), one line of 100.00 at 21 % VAT, payable 121.00.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The hand-written UBL samples in tests/fixtures/ubl/. */
export type UblFixtureName =
  | "purchase-invoice.xml"
  | "credit-note.xml"
  | "negative-invoice.xml"
  | "embedded-pdf.xml"
  | "default-namespace.xml"
  | "sales-invoice-utf16le.xml";

/** The bytes of a sample in tests/fixtures/ubl/, exactly as stored. */
export function ublFixture(name: UblFixtureName): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/ubl/${name}`, import.meta.url))));
}

/** A valid Belgian enterprise number (mod 97) for the dossier the default customer is. */
export const DOSSIER_COMPANY_NUMBER = "0123456749";
/** Another valid Belgian enterprise number: the default supplier. */
export const OTHER_COMPANY_NUMBER = "0202239951";

export type UblTestIdentifier = { value: string; scheme?: string };

export type UblTestParty = {
  name?: string;
  /** PartyTaxScheme/CompanyID with TaxScheme VAT (null: none). */
  vatNumber?: string | null;
  /** EndpointID (null: none). */
  endpoint?: UblTestIdentifier | null;
  /** PartyIdentification/ID entries. */
  identifications?: UblTestIdentifier[];
  /** PartyLegalEntity/CompanyID (null: none). */
  legalCompanyId?: UblTestIdentifier | null;
};

/** The default customer: the test dossier, written as Peppol BIS 3 does (0208 endpoint, BE VAT). */
export const UBL_DOSSIER_PARTY: UblTestParty = {
  name: "Studio Lemaire BV",
  vatNumber: `BE${DOSSIER_COMPANY_NUMBER}`,
  endpoint: { value: DOSSIER_COMPANY_NUMBER, scheme: "0208" },
  legalCompanyId: { value: DOSSIER_COMPANY_NUMBER, scheme: "0208" },
};

/** The default supplier: another Belgian company. */
export const UBL_OTHER_PARTY: UblTestParty = {
  name: "Drukkerij Peeters BV",
  vatNumber: `BE${OTHER_COMPANY_NUMBER}`,
  endpoint: { value: `BE${OTHER_COMPANY_NUMBER}`, scheme: "9925" },
  legalCompanyId: { value: OTHER_COMPANY_NUMBER, scheme: "0208" },
};

export type UblTestLine = {
  description?: string;
  quantity?: string;
  unitCode?: string;
  /** LineExtensionAmount, e.g. "100.00". */
  amount: string;
  /** VAT category (S, Z, E, AE, …); default "S". */
  category?: string;
  /** VAT percent; default "21". */
  percent?: string;
};

export type UblTestOptions = {
  /** Root element; default "Invoice". */
  kind?: "Invoice" | "CreditNote";
  /** cbc:ID; default "INV-2026-0042". */
  number?: string;
  /** Default "2026-03-14". */
  issueDate?: string;
  /** cbc:DueDate on an Invoice, PaymentMeans/PaymentDueDate on a CreditNote; null leaves it out. */
  dueDate?: string | null;
  /** DocumentCurrencyCode; default "EUR". */
  currency?: string;
  supplier?: UblTestParty;
  customer?: UblTestParty;
  /** Default: one line of 100.00 at 21 %. */
  lines?: UblTestLine[];
  /** PayableAmount as written; default: sum of lines plus VAT, with 2 decimals. */
  payableAmount?: string;
  /** A PDF embedded as AdditionalDocumentReference (its bytes, or bytes with a file name). */
  embeddedPdf?: Uint8Array | { content: Uint8Array; fileName: string } | null;
};

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function identifierXml(element: string, identifier: UblTestIdentifier): string {
  const scheme = identifier.scheme ? ` schemeID="${escapeXml(identifier.scheme)}"` : "";
  return `<cbc:${element}${scheme}>${escapeXml(identifier.value)}</cbc:${element}>`;
}

function partyXml(role: "AccountingSupplierParty" | "AccountingCustomerParty", party: UblTestParty): string {
  const name = party.name ?? "Unnamed BV";
  return `  <cac:${role}>
    <cac:Party>
      ${party.endpoint ? identifierXml("EndpointID", party.endpoint) : ""}
      ${(party.identifications ?? []).map((id) => `<cac:PartyIdentification>${identifierXml("ID", id)}</cac:PartyIdentification>`).join("\n      ")}
      <cac:PartyName><cbc:Name>${escapeXml(name)}</cbc:Name></cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>Kerkstraat 1</cbc:StreetName>
        <cbc:CityName>Gent</cbc:CityName>
        <cbc:PostalZone>9000</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      ${
        party.vatNumber
          ? `<cac:PartyTaxScheme><cbc:CompanyID>${escapeXml(party.vatNumber)}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`
          : ""
      }
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>${escapeXml(name)}</cbc:RegistrationName>
        ${party.legalCompanyId ? identifierXml("CompanyID", party.legalCompanyId) : ""}
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:${role}>`;
}

/** Base64 in lines of 76 characters, as MIME and most Peppol generators write it. */
function base64Lines(content: Uint8Array): string {
  const base64 = Buffer.from(content).toString("base64");
  const lines: string[] = [];
  for (let start = 0; start < base64.length; start += 76) lines.push(base64.slice(start, start + 76));
  return lines.join("\n");
}

const cents = (text: string) => Math.round(Number(text) * 100);
const money = (amountInCents: number) => (amountInCents / 100).toFixed(2);

/** A UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0) as an XML string. */
export function ublInvoiceXml(options: UblTestOptions = {}): string {
  const kind = options.kind ?? "Invoice";
  const currency = options.currency ?? "EUR";
  const lines = options.lines ?? [{ description: "Drukwerk folders", quantity: "1", amount: "100.00" }];
  const lineName = kind === "Invoice" ? "InvoiceLine" : "CreditNoteLine";
  const quantityName = kind === "Invoice" ? "InvoicedQuantity" : "CreditedQuantity";

  const groups = new Map<string, { category: string; percent: string; taxable: number }>();
  for (const line of lines) {
    const category = line.category ?? "S";
    const percent = line.percent ?? (category === "S" ? "21" : "0");
    const key = `${category}/${percent}`;
    const group = groups.get(key) ?? { category, percent, taxable: 0 };
    group.taxable += cents(line.amount);
    groups.set(key, group);
  }
  const subtotals = [...groups.values()].map((group) => ({
    ...group,
    tax: Math.round((group.taxable * Number(group.percent)) / 100),
  }));
  const net = subtotals.reduce((sum, group) => sum + group.taxable, 0);
  const vat = subtotals.reduce((sum, group) => sum + group.tax, 0);
  const payable = options.payableAmount ?? money(net + vat);
  const dueDate = options.dueDate === undefined ? "2026-04-13" : options.dueDate;
  const pdf = options.embeddedPdf
    ? options.embeddedPdf instanceof Uint8Array
      ? { content: options.embeddedPdf, fileName: "invoice.pdf" }
      : options.embeddedPdf
    : null;

  return `<?xml version="1.0" encoding="UTF-8"?>
<${kind} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${kind}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>${escapeXml(options.number ?? "INV-2026-0042")}</cbc:ID>
  <cbc:IssueDate>${escapeXml(options.issueDate ?? "2026-03-14")}</cbc:IssueDate>
  ${kind === "Invoice" && dueDate ? `<cbc:DueDate>${escapeXml(dueDate)}</cbc:DueDate>` : ""}
  <cbc:${kind}TypeCode>${kind === "Invoice" ? "380" : "381"}</cbc:${kind}TypeCode>
  <cbc:DocumentCurrencyCode>${escapeXml(currency)}</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>PO-2026-17</cbc:BuyerReference>
  ${
    pdf
      ? `<cac:AdditionalDocumentReference>
    <cbc:ID>${escapeXml(pdf.fileName)}</cbc:ID>
    <cac:Attachment>
      <cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="${escapeXml(pdf.fileName)}">${base64Lines(pdf.content)}</cbc:EmbeddedDocumentBinaryObject>
    </cac:Attachment>
  </cac:AdditionalDocumentReference>`
      : ""
  }
${partyXml("AccountingSupplierParty", options.supplier ?? UBL_OTHER_PARTY)}
${partyXml("AccountingCustomerParty", options.customer ?? UBL_DOSSIER_PARTY)}
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    ${kind === "CreditNote" && dueDate ? `<cbc:PaymentDueDate>${escapeXml(dueDate)}</cbc:PaymentDueDate>` : ""}
    <cac:PayeeFinancialAccount><cbc:ID>BE71096123456769</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="${escapeXml(currency)}">${money(vat)}</cbc:TaxAmount>
${subtotals
  .map(
    (group) => `    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="${escapeXml(currency)}">${money(group.taxable)}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="${escapeXml(currency)}">${money(group.tax)}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>${escapeXml(group.category)}</cbc:ID>
        <cbc:Percent>${escapeXml(group.percent)}</cbc:Percent>
        ${group.category === "E" ? "<cbc:TaxExemptionReason>Vrijgesteld van btw</cbc:TaxExemptionReason>" : ""}
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>`,
  )
  .join("\n")}
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="${escapeXml(currency)}">${money(net)}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="${escapeXml(currency)}">${money(net)}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="${escapeXml(currency)}">${money(net + vat)}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="${escapeXml(currency)}">${escapeXml(payable)}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
${lines
  .map(
    (line, index) => `  <cac:${lineName}>
    <cbc:ID>${index + 1}</cbc:ID>
    <cbc:${quantityName} unitCode="${escapeXml(line.unitCode ?? "C62")}">${escapeXml(line.quantity ?? "1")}</cbc:${quantityName}>
    <cbc:LineExtensionAmount currencyID="${escapeXml(currency)}">${escapeXml(line.amount)}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>${escapeXml(line.description ?? `Line ${index + 1}`)}</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>${escapeXml(line.category ?? "S")}</cbc:ID>
        <cbc:Percent>${escapeXml(line.percent ?? ((line.category ?? "S") === "S" ? "21" : "0"))}</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="${escapeXml(currency)}">${escapeXml(line.amount)}</cbc:PriceAmount></cac:Price>
  </cac:${lineName}>`,
  )
  .join("\n")}
</${kind}>
`;
}

/** ublInvoiceXml as UTF-8 bytes (what an upload or the API receives). */
export function ublBytes(options: UblTestOptions = {}): Uint8Array {
  return new TextEncoder().encode(ublInvoiceXml(options));
}
