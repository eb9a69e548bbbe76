import { buildTestPdf } from "@/lib/integrations/test-pdf";

/** What a sample document shows: a title and the facts a reader (or OCR) would look for. */
export type SamplePdfContent = {
  title: string;
  supplierName?: string;
  invoiceNumber?: string;
  /** `YYYY-MM-DD`. */
  invoiceDate?: string;
  totalAmount?: number;
  currency?: string;
};

/**
 * A tiny, valid one-page PDF that looks like the document it stands for: the seed stores one per
 * demo document so sending and previewing work, and tests use it as a realistic upload. Built by
 * the same hand-written PDF writer as the integration tab's test document (no PDF library).
 */
export function buildSamplePdf(content: SamplePdfContent): Uint8Array {
  const lines = [content.title];
  if (content.supplierName) lines.push(content.supplierName);
  if (content.invoiceNumber) lines.push(`Nr. ${content.invoiceNumber}`);
  if (content.invoiceDate) lines.push(content.invoiceDate);
  if (typeof content.totalAmount === "number") {
    lines.push(`${content.totalAmount.toFixed(2)} ${content.currency ?? "EUR"}`);
  }
  return buildTestPdf(lines);
}
