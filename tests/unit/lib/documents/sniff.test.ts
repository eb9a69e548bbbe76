import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_BYTES, sniffDocument } from "@/lib/documents/sniff";
import {
  sampleExe,
  sampleJpeg,
  samplePdf,
  samplePng,
  UBL_CREDIT_NOTE_XML,
  UBL_INVOICE_XML,
  utf8,
  utf8WithBom,
} from "../../../fixtures/documents";

function kindOf(content: Uint8Array) {
  const result = sniffDocument(content);
  return result.ok ? result.type.kind : `refused:${result.reason}`;
}

function utf16le(text: string, withBom = true): Uint8Array {
  const bytes = new Uint8Array((withBom ? 2 : 0) + text.length * 2);
  if (withBom) bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[(withBom ? 2 : 0) + i * 2] = code & 0xff;
    bytes[(withBom ? 2 : 0) + i * 2 + 1] = code >> 8;
  }
  return bytes;
}

describe("sniffDocument: types by content", () => {
  it("detects a PDF", () => {
    expect(sniffDocument(samplePdf())).toMatchObject({ ok: true, type: { kind: "pdf", mimeType: "application/pdf" } });
  });

  it("detects a JPEG", () => {
    expect(sniffDocument(sampleJpeg())).toMatchObject({ ok: true, type: { kind: "jpeg", mimeType: "image/jpeg" } });
  });

  it("detects a PNG", () => {
    expect(sniffDocument(samplePng())).toMatchObject({ ok: true, type: { kind: "png", mimeType: "image/png" } });
  });

  it("looks only at the bytes, so a PDF that was named .jpg is still a PDF", () => {
    // The name never reaches the sniffer; this is the content of "factuur.jpg".
    expect(kindOf(samplePdf())).toBe("pdf");
  });

  it("refuses an executable, whatever it is called", () => {
    expect(sniffDocument(sampleExe())).toEqual({ ok: false, reason: "unsupportedType" });
  });

  it.each([
    ["plain text", utf8("Factuur 2026-001, totaal 121,00 EUR")],
    ["HTML", utf8("<!doctype html><html><body>factuur</body></html>")],
    ["a GIF", utf8("GIF89a\u0001\u0000")],
    ["a ZIP (docx, xlsx)", Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])],
    ["a truncated PNG signature", Uint8Array.from([0x89, 0x50, 0x4e, 0x47])],
    ["'%PDF' without the dash", utf8("%PDF1.4")],
    ["a PDF signature that does not start the file", utf8(" %PDF-1.4")],
  ])("refuses %s", (_name, content) => {
    expect(sniffDocument(content)).toEqual({ ok: false, reason: "unsupportedType" });
  });
});

describe("sniffDocument: UBL XML", () => {
  it("detects a UBL Invoice with an XML declaration", () => {
    expect(sniffDocument(utf8(UBL_INVOICE_XML))).toMatchObject({
      ok: true,
      type: { kind: "ubl", mimeType: "application/xml", ublDocument: "Invoice" },
    });
  });

  it("detects a UBL Invoice without a declaration", () => {
    const xml = UBL_INVOICE_XML.replace(/^<\?xml[^>]*\?>\s*/, "");
    expect(xml.startsWith("<Invoice")).toBe(true);
    expect(sniffDocument(utf8(xml))).toMatchObject({ ok: true, type: { ublDocument: "Invoice" } });
  });

  it("detects a UBL Invoice with a byte order mark", () => {
    expect(sniffDocument(utf8WithBom(UBL_INVOICE_XML))).toMatchObject({ ok: true, type: { ublDocument: "Invoice" } });
  });

  it("detects a UBL Invoice with a byte order mark and no declaration", () => {
    const xml = UBL_INVOICE_XML.replace(/^<\?xml[^>]*\?>\s*/, "");
    expect(sniffDocument(utf8WithBom(xml))).toMatchObject({ ok: true, type: { ublDocument: "Invoice" } });
  });

  it("detects a UBL CreditNote with a namespace prefix and a comment before the root", () => {
    expect(sniffDocument(utf8(UBL_CREDIT_NOTE_XML))).toMatchObject({ ok: true, type: { ublDocument: "CreditNote" } });
  });

  it("detects a UBL CreditNote with a byte order mark and without a declaration", () => {
    const xml = UBL_CREDIT_NOTE_XML.replace(/^<\?xml[^>]*\?>\s*/, "");
    expect(sniffDocument(utf8WithBom(xml))).toMatchObject({ ok: true, type: { ublDocument: "CreditNote" } });
  });

  it("detects a UBL Invoice in UTF-16 with its byte order mark", () => {
    const xml = UBL_INVOICE_XML.replace('encoding="UTF-8"', 'encoding="UTF-16"');
    expect(sniffDocument(utf16le(xml))).toMatchObject({ ok: true, type: { ublDocument: "Invoice" } });
  });

  it.each([
    ["XML that is not UBL", '<?xml version="1.0"?><note><to>Jan</to></note>'],
    [
      "an Invoice root in another namespace",
      '<?xml version="1.0"?><Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>',
    ],
    ["an Invoice root without a namespace", "<Invoice><ID>1</ID></Invoice>"],
    [
      "a CreditNote root in the Invoice namespace",
      '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
    ],
    [
      "a prefixed root whose prefix is bound elsewhere",
      '<ubl:Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:ubl="urn:example"/>',
    ],
    [
      "a UBL namespace on a child, not the root",
      '<Envelope><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/></Envelope>',
    ],
    [
      "an Order (UBL, but not an invoice)",
      '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>',
    ],
  ])("refuses %s", (_name, xml) => {
    expect(sniffDocument(utf8(xml))).toEqual({ ok: false, reason: "unsupportedType" });
  });

  it("refuses a document type declaration (entities are never parsed, let alone fetched)", () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>`;
    expect(sniffDocument(utf8(xml))).toEqual({ ok: false, reason: "unsupportedType" });
  });

  it("refuses a huge start tag that never ends", () => {
    const xml = `<Invoice ${"a='1' ".repeat(10_000)}`;
    expect(sniffDocument(utf8(xml))).toEqual({ ok: false, reason: "unsupportedType" });
  });
});

describe("sniffDocument: size", () => {
  it("refuses an empty file", () => {
    expect(sniffDocument(new Uint8Array(0))).toEqual({ ok: false, reason: "empty" });
  });

  it("takes a file of exactly 20 MB", () => {
    expect(MAX_DOCUMENT_BYTES).toBe(20 * 1024 * 1024);
    expect(kindOf(samplePdf(MAX_DOCUMENT_BYTES))).toBe("pdf");
  });

  it("refuses a file one byte over 20 MB, even a valid PDF", () => {
    expect(sniffDocument(samplePdf(MAX_DOCUMENT_BYTES + 1))).toEqual({ ok: false, reason: "tooLarge" });
  });
});
