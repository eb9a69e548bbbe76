import type { documentTypeEnum } from "@/db/schema";

/**
 * The document types, as in the database enum (db/schema/documents.ts); null means not recognised.
 * A module of its own, without zod: the browser's upload form and type picker list them, and
 * importing them from ./schemas sent zod (27 KB gzipped) and a Buffer polyfill along.
 */
export const DOCUMENT_TYPES = [
  "purchase_invoice",
  "purchase_credit_note",
  "sales_invoice",
  "sales_credit_note",
  "receipt",
  "other",
  // The same tuple as the enum, value for value: a type added there fails to compile here.
] as const satisfies Readonly<typeof documentTypeEnum.enumValues>;
