import type { DocumentCategory } from "@/lib/packages/catalog";
import type { DeliveryDocument, DossierChoice } from "../../types";
import type { SynetonCustomer } from "./client";
import type { SynetonDossierSettings, SynetonSettings } from "./config";

export { storedUnderReference, uploadedIdOf } from "../answer-fields";

/** Pure mapping between our documents and what Syneton receives, and back for the picker (no I/O). */

const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The DMS keyword the dossier files a document category under. */
export function keywordFor(settings: SynetonDossierSettings, category: DocumentCategory): string {
  switch (category) {
    case "purchase":
      return settings.purchaseKeyword;
    case "sales":
      return settings.salesKeyword;
    case "other":
      return settings.otherKeyword;
  }
}

/** The JSON body of the upload, with the field names the connection is configured with. */
export function uploadBody(
  settings: Pick<
    SynetonSettings,
    "customerIdField" | "categoryField" | "fileNameField" | "contentField" | "referenceField"
  >,
  input: {
    customerId: number;
    keyword: string;
    document: Pick<DeliveryDocument, "fileName">;
    content: Uint8Array;
    reference: string;
  },
): Record<string, string | number> {
  const fileName = input.document.fileName.replace(CONTROL, "").replace(/[\\/]/g, "_").trim() || "document.pdf";
  return {
    [settings.customerIdField]: input.customerId,
    [settings.categoryField]: input.keyword,
    [settings.fileNameField]: fileName,
    [settings.contentField]: Buffer.from(input.content).toString("base64"),
    [settings.referenceField]: input.reference,
  };
}

/** A string literal in Syneton's Filter syntax (single quotes, doubled inside). */
export function filterString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The look-up filter: our reference on this customer record. */
export function lookupFilter(
  settings: Pick<SynetonSettings, "referenceField" | "customerIdField">,
  reference: string,
  customerId: number,
): string {
  return `${settings.referenceField} eq ${filterString(reference)} and ${settings.customerIdField} eq ${customerId}`;
}

/** Customer records a dossier may pick (inactive ones left out), by name; VAT number for the suggestion. */
export function customerChoices(customers: SynetonCustomer[]): DossierChoice[] {
  const seen = new Set<number>();
  return customers
    .filter(
      (customer) => customer.IsActive !== false && !seen.has(customer.CustomerId) && seen.add(customer.CustomerId),
    )
    .map((customer) => {
      const name = [customer.Name, customer.Firstname]
        .map((part) => part?.trim())
        .filter(Boolean)
        .join(" ");
      const code =
        customer.CustCode === null || customer.CustCode === undefined ? "" : String(customer.CustCode).trim();
      return {
        value: String(customer.CustomerId),
        label: name || code || String(customer.CustomerId),
        detail: code || String(customer.CustomerId),
        vatNumber: customer.VATNr?.trim() || null,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label, "nl") || a.value.localeCompare(b.value));
}
