/**
 * The document types; null means not recognised. The database enum (db/schema/documents.ts) is
 * made from this tuple. A module of its own, without zod or drizzle: the browser's upload form and
 * type picker list them, and importing them from ./schemas sent zod (27 KB gzipped) and a Buffer
 * polyfill along.
 */
export const DOCUMENT_TYPES = [
  "purchase_invoice",
  "purchase_credit_note",
  "sales_invoice",
  "sales_credit_note",
  "receipt",
  "other",
] as const;
