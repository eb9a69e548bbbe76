import { createHash } from "node:crypto";
import type { DeliveryDocument, DeliveryFile } from "@/lib/connectors/types";
import type { Locale } from "@/lib/i18n/config";
import type { UblForm } from "@/lib/packages/catalog";
import { readUbl } from "./read";
import { renderUblPdf } from "./render-pdf";
import type { UblDocument, UblReadResult } from "./types";

/** The MIME types a stored UBL file carries (uploads give either). */
const XML_MIME_TYPES = new Set(["application/xml", "text/xml"]);

/** What an attempt records about the form a UBL document went in (merged into its target). */
export type UblFormSent = {
  /** What the package received: the XML, a PDF, or a PDF with the XML next to it. */
  ublForm: "xml" | "pdf" | "pdf+xml";
  /** Which PDF: the one the XML carries, or Koppel's rendering; absent when only the XML went. */
  ublPdf?: "embedded" | "rendering";
};

/** What a connector gets for one document: its metadata, its bytes, and for UBL what was chosen. */
export type DeliveryForm = {
  document: DeliveryDocument;
  file: DeliveryFile;
  /** Null for a document that is not a UBL e-invoice: it goes as it is. */
  sent: UblFormSent | null;
};

/** Whether a stored document is XML, i.e. possibly a UBL e-invoice. */
export function isXmlDocument(mimeType: string): boolean {
  return XML_MIME_TYPES.has(mimeType.toLowerCase().split(";")[0]?.trim() ?? "");
}

/** The file name without its extension (`factuur.xml` → `factuur`); never empty. */
function stemOf(fileName: string): string {
  const stem = fileName.trim().replace(/\.[A-Za-z0-9]{1,8}$/, "");
  return stem === "" ? "e-invoice" : stem;
}

/**
 * The PDF a package gets for a UBL document: the one the XML carries, else Koppel's rendering in
 * the dossier's language. Its name keeps the document's stem; a rendering says so
 * (`factuur-rendering.pdf`), so nobody at the office takes it for the supplier's own PDF.
 */
export async function pdfOfUbl(
  ubl: UblDocument,
  input: { fileName: string; locale: Locale },
): Promise<{ fileName: string; content: Uint8Array; isRendering: boolean }> {
  const stem = stemOf(input.fileName);
  if (ubl.embeddedPdf) return { fileName: `${stem}.pdf`, content: ubl.embeddedPdf.content, isRendering: false };
  const content = await renderUblPdf(ubl, { locale: input.locale });
  return { fileName: `${stem}-rendering.pdf`, content, isRendering: true };
}

/**
 * The one place that decides what a connector receives for a document, from the package's UBL
 * form (catalog `ubl`, per channel: ublFormFor):
 * - not a UBL e-invoice (not XML, or XML the reader refuses): unchanged;
 * - "xml": the XML as it is;
 * - "pdf": the PDF (embedded, else the rendering) in the XML's place, with its own name, type,
 *   size and hash;
 * - "both": that PDF, with the XML as its companion under the same stem (`factuur.pdf` +
 *   `factuur.xml`): importers pair the two by name, Yuki uploads them together.
 * Deterministic for one document and form (the rendering's bytes do not depend on the clock), so
 * a retried delivery sends the same files under the same names.
 */
export async function deliveryFormOf(
  input: { document: DeliveryDocument; content: Uint8Array; form: UblForm; locale: Locale },
  /** The UBL reader; tests hand a document in without writing its XML. */
  read: (content: Uint8Array) => UblReadResult = readUbl,
): Promise<DeliveryForm> {
  const { document, content, form } = input;
  const unchanged: DeliveryForm = { document, file: { content }, sent: null };
  if (!isXmlDocument(document.mimeType)) return unchanged;
  const result = read(content);
  if (!result.ok) return unchanged;
  if (form === "xml") return { document, file: { content }, sent: { ublForm: "xml" } };

  const pdf = await pdfOfUbl(result.document, { fileName: document.fileName, locale: input.locale });
  const pdfDocument: DeliveryDocument = {
    ...document,
    fileName: pdf.fileName,
    mimeType: "application/pdf",
    sizeBytes: pdf.content.byteLength,
    sha256: createHash("sha256").update(pdf.content).digest("hex"),
  };
  const ublPdf = pdf.isRendering ? "rendering" : "embedded";
  if (form === "pdf")
    return { document: pdfDocument, file: { content: pdf.content }, sent: { ublForm: "pdf", ublPdf } };
  return {
    document: pdfDocument,
    file: { content: pdf.content, companion: { fileName: `${stemOf(pdf.fileName)}.xml`, content } },
    sent: { ublForm: "pdf+xml", ublPdf },
  };
}
