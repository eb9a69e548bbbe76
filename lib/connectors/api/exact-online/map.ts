import type { DeliveryDocument, DossierChoice } from "../../types";
import {
  DIVISION_WITHOUT_STATUS_IS_SELECTABLE,
  DOCUMENT_TYPE,
  SELECTABLE_DIVISION_STATUSES,
  SUBJECT_MAX_LENGTH,
  SUBJECT_REFERENCE_PREFIX,
} from "./assumptions";

/** Pure mapping between our documents and Exact's payloads (no I/O). */

/** Control and invisible formatting characters, and line separators. */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Exact's Documents.Type for a document (assumptions.ts). */
export function documentTypeFor(document: Pick<DeliveryDocument, "category">): number {
  return DOCUMENT_TYPE[document.category].value;
}

/**
 * The Subject of the Document we create: "<file name> [Koppel <reference>]". The reference (the
 * dispatch id) is what a retry looks the Document up by, so the Subject depends only on the
 * reference and the document's file name, which never changes; a long name is shortened, the
 * reference never.
 */
export function subjectFor(document: Pick<DeliveryDocument, "fileName">, reference: string): string {
  const marker = ` [${SUBJECT_REFERENCE_PREFIX}${reference}]`;
  const room = Math.max(0, SUBJECT_MAX_LENGTH.value - marker.length);
  const name = document.fileName.replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  const shortened = name.length > room ? `${name.slice(0, Math.max(0, room - 1)).trimEnd()}…` : name;
  return `${shortened}${marker}`.trim();
}

/** An OData v2 string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An OData v2 guid literal; only a well-formed GUID gets through. */
export function odataGuid(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new Error(`not a GUID: ${value}`);
  }
  return `guid'${value}'`;
}

/** Body of POST documents/Documents. */
export function documentPayload(document: Pick<DeliveryDocument, "fileName" | "category">, reference: string) {
  return { Subject: subjectFor(document, reference), Type: documentTypeFor(document) };
}

/** Body of POST documents/DocumentAttachments: the file, base64, on the Document. */
export function attachmentPayload(
  documentId: string,
  document: Pick<DeliveryDocument, "fileName">,
  content: Uint8Array,
) {
  const fileName = document.fileName.replace(CONTROL, "").trim() || "document.pdf";
  return { Document: documentId, FileName: fileName, Attachment: Buffer.from(content).toString("base64") };
}

/** A division as system/Divisions lists it (the fields we select). */
export type ExactDivision = {
  Code: number;
  Description?: string | null;
  VATNumber?: string | null;
  Status?: number | null;
};

/** The divisions a dossier may pick, as choices, sorted by name (assumptions.ts: which Status). */
export function divisionChoices(divisions: ExactDivision[]): DossierChoice[] {
  return divisions
    .filter((division) =>
      division.Status === null || division.Status === undefined
        ? DIVISION_WITHOUT_STATUS_IS_SELECTABLE
        : SELECTABLE_DIVISION_STATUSES.value.includes(division.Status),
    )
    .map((division) => ({
      value: String(division.Code),
      label: division.Description?.trim() || String(division.Code),
      detail: String(division.Code),
      vatNumber: division.VATNumber?.trim() || null,
    }))
    .sort((a, b) => a.label.localeCompare(b.label, "nl") || a.value.localeCompare(b.value));
}
