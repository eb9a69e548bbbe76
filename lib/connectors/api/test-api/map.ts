import type { DeliveryDocument } from "../../types";

/** Pure mapping between our documents and what the Test API receives and answers (no I/O). */

/** The upload's JSON body: our reference (the dispatch id) travels with the file. */
export function uploadBody(
  document: Pick<DeliveryDocument, "category" | "documentType" | "fileName" | "mimeType">,
  content: Uint8Array,
  reference: string,
) {
  return {
    reference,
    category: document.category,
    documentType: document.documentType,
    fileName: document.fileName,
    mimeType: document.mimeType,
    contentBase64: Buffer.from(content).toString("base64"),
  };
}

/** The id the package filed our reference under, from a look-up's rows, or null. */
export function idFiledUnder(rows: readonly { id: string; reference: string }[], reference: string): string | null {
  return rows.find((row) => row.reference === reference)?.id ?? null;
}
