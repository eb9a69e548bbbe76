import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DeliveryDocument } from "@/lib/connectors/types";
import { deliveryFormOf, isXmlDocument } from "@/lib/ubl/delivery-file";
import type { UblDocument, UblReadResult } from "@/lib/ubl/types";
import { isPdf } from "@/tests/helpers/pdf-text";
import { sampleUblDocument } from "@/tests/helpers/ubl-document";

const XML = new TextEncoder().encode("<Invoice>stand-in for a UBL file</Invoice>");
const EMBEDDED = new TextEncoder().encode("%PDF-1.7\nthe supplier's own PDF\n%%EOF\n");

function documentOf(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: "0b6e7f7e-3f2a-4c1b-9e4d-0a1b2c3d4e5f",
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "factuur-0042.xml",
    mimeType: "application/xml",
    sizeBytes: XML.byteLength,
    sha256: createHash("sha256").update(XML).digest("hex"),
    recognisedFields: {},
    isTest: false,
    ...overrides,
  };
}

/** A reader that answers with this document (what lib/ubl/read.ts would read from the XML). */
const readerOf =
  (ubl: UblDocument | null) =>
  (_content: Uint8Array): UblReadResult =>
    ubl ? { ok: true, document: ubl } : { ok: false, reason: "malformed" };

const withEmbedded = sampleUblDocument({ embeddedPdf: { fileName: "INV-0042.pdf", content: EMBEDDED } });
const withoutEmbedded = sampleUblDocument();

describe("deliveryFormOf", () => {
  it("leaves a document that is not XML as it is, whatever the package takes", async () => {
    const pdfDocument = documentOf({ fileName: "scan.pdf", mimeType: "application/pdf" });
    for (const form of ["xml", "pdf", "both"] as const) {
      const result = await deliveryFormOf(
        { document: pdfDocument, content: EMBEDDED, form, locale: "nl" },
        readerOf(withEmbedded),
      );
      expect(result).toEqual({ document: pdfDocument, file: { content: EMBEDDED }, sent: null });
    }
  });

  it("leaves an XML the reader refuses (not UBL) as it is", async () => {
    const result = await deliveryFormOf(
      { document: documentOf(), content: XML, form: "pdf", locale: "nl" },
      readerOf(null),
    );
    expect(result.sent).toBeNull();
    expect(result.document.mimeType).toBe("application/xml");
    expect(result.file.content).toBe(XML);
  });

  it('sends the XML as it is to a package that takes "xml"', async () => {
    const document = documentOf();
    const result = await deliveryFormOf({ document, content: XML, form: "xml", locale: "nl" }, readerOf(withEmbedded));
    expect(result).toEqual({ document, file: { content: XML }, sent: { ublForm: "xml" } });
  });

  it('sends the embedded PDF to a package that takes "pdf", named after the document', async () => {
    const result = await deliveryFormOf(
      { document: documentOf(), content: XML, form: "pdf", locale: "nl" },
      readerOf(withEmbedded),
    );
    expect(result.sent).toEqual({ ublForm: "pdf", ublPdf: "embedded" });
    expect(result.file).toEqual({ content: EMBEDDED });
    expect(result.document).toMatchObject({
      fileName: "factuur-0042.pdf",
      mimeType: "application/pdf",
      sizeBytes: EMBEDDED.byteLength,
      sha256: createHash("sha256").update(EMBEDDED).digest("hex"),
      documentType: "purchase_invoice",
    });
  });

  it('sends Koppel\'s rendering, named as one, when the UBL carries no PDF ("pdf")', async () => {
    const result = await deliveryFormOf(
      { document: documentOf(), content: XML, form: "pdf", locale: "fr" },
      readerOf(withoutEmbedded),
    );
    expect(result.sent).toEqual({ ublForm: "pdf", ublPdf: "rendering" });
    expect(result.document.fileName).toBe("factuur-0042-rendering.pdf");
    expect(result.file.companion).toBeUndefined();
    expect(isPdf(result.file.content)).toBe(true);
    expect(result.document.sizeBytes).toBe(result.file.content.byteLength);
  });

  it('sends the PDF with the XML as its companion under the same stem ("both")', async () => {
    const embedded = await deliveryFormOf(
      { document: documentOf(), content: XML, form: "both", locale: "nl" },
      readerOf(withEmbedded),
    );
    expect(embedded.sent).toEqual({ ublForm: "pdf+xml", ublPdf: "embedded" });
    expect(embedded.document.fileName).toBe("factuur-0042.pdf");
    expect(embedded.file).toEqual({ content: EMBEDDED, companion: { fileName: "factuur-0042.xml", content: XML } });

    const rendered = await deliveryFormOf(
      { document: documentOf(), content: XML, form: "both", locale: "nl" },
      readerOf(withoutEmbedded),
    );
    expect(rendered.sent).toEqual({ ublForm: "pdf+xml", ublPdf: "rendering" });
    expect(rendered.document.fileName).toBe("factuur-0042-rendering.pdf");
    expect(rendered.file.companion).toEqual({ fileName: "factuur-0042-rendering.xml", content: XML });
  });

  it("renders in the dossier's language and gives the same bytes on a retry", async () => {
    const input = { document: documentOf(), content: XML, form: "pdf" as const, locale: "nl" as const };
    const first = await deliveryFormOf(input, readerOf(withoutEmbedded));
    const second = await deliveryFormOf(input, readerOf(withoutEmbedded));
    expect(second.document.sha256).toBe(first.document.sha256);
    // The title in the PDF's info dictionary (UTF-16BE, it has a dash): readable even compressed.
    const title = Buffer.from("Weergave door Koppel van e-factuur INV-2026-0042", "utf16le").swap16();
    expect(Buffer.from(first.file.content).includes(title)).toBe(true);
  });

  it("treats application/xml and text/xml (with parameters) as XML, nothing else", () => {
    expect(isXmlDocument("application/xml")).toBe(true);
    expect(isXmlDocument("text/xml; charset=utf-8")).toBe(true);
    expect(isXmlDocument("Application/XML")).toBe(true);
    expect(isXmlDocument("application/pdf")).toBe(false);
    expect(isXmlDocument("image/jpeg")).toBe(false);
  });
});
