import type { DocumentCategory } from "@/lib/packages/catalog";
import type { DeliveryDocument, DossierChoice } from "../../types";
import type { WoltersKluwerAdministration } from "./client";
import type { WoltersKluwerDossierSettings, WoltersKluwerSettings } from "./config";

export { storedUnderReference, uploadedIdOf } from "../answer-fields";

/** Pure mapping between our documents and what Adsolut receives, and back for the picker (no I/O). */

/** Control and invisible formatting characters, and line separators. */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The category value the dossier sends for a document category. */
export function categoryValueFor(settings: WoltersKluwerDossierSettings, category: DocumentCategory): string {
  switch (category) {
    case "purchase":
      return settings.purchaseCategory;
    case "sales":
      return settings.salesCategory;
    case "other":
      return settings.otherCategory;
  }
}

/** The file name sent with the upload: the document's own, without control characters. */
export function uploadFileNameOf(document: Pick<DeliveryDocument, "fileName">): string {
  return document.fileName.replace(CONTROL, "").replace(/[\\/]/g, "_").trim() || "document.pdf";
}

/** The multipart body of the upload, with the field names the connection is configured with. */
export function uploadForm(
  settings: Pick<WoltersKluwerSettings, "fileField" | "documentCategoryField" | "referenceField">,
  input: {
    document: Pick<DeliveryDocument, "fileName" | "mimeType">;
    content: Uint8Array;
    category: string;
    reference: string;
  },
): FormData {
  const form = new FormData();
  form.set(settings.documentCategoryField, input.category);
  form.set(settings.referenceField, input.reference);
  const blob = new Blob([new Uint8Array(input.content)], {
    type: input.document.mimeType || "application/octet-stream",
  });
  form.set(settings.fileField, blob, uploadFileNameOf(input.document));
  return form;
}

/** The administrations a dossier may pick, sorted by name; the VAT number drives the suggestion. */
export function administrationChoices(administrations: WoltersKluwerAdministration[]): DossierChoice[] {
  const seen = new Set<string>();
  return administrations
    .filter((administration) => !seen.has(administration.id) && seen.add(administration.id))
    .map((administration) => {
      const code = administration.code === null || administration.code === undefined ? "" : String(administration.code);
      return {
        value: administration.id,
        label: administration.name?.trim() || code || administration.id,
        detail: code.trim() || null,
        vatNumber: administration.vatNumber?.trim() || null,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label, "nl") || a.value.localeCompare(b.value));
}
