import "server-only";
import { and, asc, eq, not, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { RecognisedFields } from "./fields";

/*
 * "No invoice twice" (issue 15), the two checks:
 * - the same file (SHA-256) twice in one dossier is refused: DuplicateFileError, with the document
 *   that has it. The unique index documents_dossier_sha256_uq makes the database the judge, so two
 *   identical uploads at the same moment still give one document (lib/documents/ingest.ts);
 * - the same supplier VAT number and invoice number as an earlier document of the dossier (and the
 *   same payable amount when both have one), whatever the file, holds the new document as a
 *   "possible duplicate" (documents.possible_duplicate_of) until a person confirms it is a
 *   different document or deletes it. possibleDuplicateOfSql is that check, as the value of the
 *   column: lib/documents/life.ts writes it in the same statement as the fields, on every way the
 *   fields are set (arrival, recognition webhook, the API's recognition, a person), so no writer
 *   can forget it. A held document is not sent by anyone (LIFE_RULES.send: "possible_duplicate").
 *
 * The fields are stored as lib/documents/fields.ts parses them: the VAT number normalised
 * ("BE 0123.456.749" → "BE0123456749"), the invoice number trimmed; the invoice number is compared
 * case-insensitively here. The comparison expressions are the ones of the index
 * documents_dossier_vat_invoice_number_idx (db/schema/documents.ts), so the check is an index
 * lookup.
 */

/** The same file is already a document of the dossier: 409, naming that document. */
export class DuplicateFileError extends AppError {
  /** The document that already has this file. */
  readonly existingDocumentId: string;
  constructor(existingDocumentId: string) {
    super("duplicate_file", "upload.duplicateFile", 409);
    this.name = "DuplicateFileError";
    this.existingDocumentId = existingDocumentId;
  }
}

/** The document of the dossier that has this file (the one the unique index guards), if any. */
export async function findDocumentWithFile(
  db: DbOrTx,
  scope: { portalId: string; dossierId: string },
  sha256: string,
): Promise<string | null> {
  const [row] = await db
    .select({ id: documents.id })
    .from(documents)
    .where(
      and(
        eq(documents.portalId, scope.portalId),
        eq(documents.dossierId, scope.dossierId),
        eq(documents.sha256, sha256),
      ),
    )
    // A legacy copy (stored twice before the rule) never wins over the first one.
    .orderBy(asc(documents.isLegacyFileCopy), asc(documents.createdAt), asc(documents.id))
    .limit(1);
  return row?.id ?? null;
}

/** What the duplicate check looks at: the VAT number and the invoice number, and the amount. */
export type DuplicateKey = { vatNumber: string; invoiceNumber: string; totalAmount: number | null };

/** The key of a document's fields, or null when it lacks the VAT number or the invoice number. */
export function duplicateKeyOf(fields: RecognisedFields): DuplicateKey | null {
  const vatNumber = fields.vatNumber?.trim();
  const invoiceNumber = fields.invoiceNumber?.trim();
  if (!vatNumber || !invoiceNumber) return null;
  return { vatNumber, invoiceNumber, totalAmount: fields.totalAmount ?? null };
}

/**
 * The earliest other document of the dossier with the same key: the id a document with `fields`
 * is a possible duplicate of (null when none, or when the fields have no key). As a scalar
 * subquery, for the value of documents.possible_duplicate_of in the statement that stores the
 * fields. `selfId`: the document itself never counts (null for a new one).
 */
export function possibleDuplicateOfSql(input: {
  dossierId: string | SQL;
  fields: RecognisedFields;
  selfId: string | SQL | null;
}): SQL {
  const key = duplicateKeyOf(input.fields);
  if (!key) return sql`null::uuid`;
  // A sibling alias: inside an update of documents, "documents" is the row being changed.
  const other = sql.raw(`"duplicate_candidate"`);
  const otherFields = sql`${other}.recognised_fields`;
  // Only when both have an amount does it have to match.
  const amountMatches =
    key.totalAmount === null
      ? sql`true`
      : sql`(case when jsonb_typeof(${otherFields}->'totalAmount') = 'number'
          then (${otherFields}->>'totalAmount')::numeric = ${key.totalAmount}::numeric else true end)`;
  return sql`(select ${other}.id from ${documents} as ${other}
    where ${other}.dossier_id = ${input.dossierId}::uuid
      and (${otherFields}->>'vatNumber') = ${key.vatNumber}::text
      and lower(${otherFields}->>'invoiceNumber') = lower(${key.invoiceNumber}::text)
      and (${otherFields}->>'vatNumber') is not null and (${otherFields}->>'invoiceNumber') is not null
      ${input.selfId === null ? sql`` : sql`and ${other}.id <> ${input.selfId}::uuid`}
      and ${amountMatches}
    order by ${other}.created_at, ${other}.id
    limit 1)`;
}

/**
 * Whether a stored document's duplicate key (its current recognised_fields, in an update of
 * documents) differs from the key of `fields`: only then is the hold worked out again. The same
 * key keeps the hold as it is, so a document a person confirmed as different stays confirmed when
 * the recognition step reports the same fields again, and an earlier document never becomes the
 * duplicate of a later one.
 */
export function duplicateKeyChangedSql(fields: RecognisedFields): SQL {
  const stored = sql`${documents.recognisedFields}`;
  const storedKey = sql`row(nullif(btrim(${stored}->>'vatNumber'), ''), lower(nullif(btrim(${stored}->>'invoiceNumber'), '')),
    case when jsonb_typeof(${stored}->'totalAmount') = 'number' then (${stored}->>'totalAmount')::numeric end)`;
  const newKey = sql`row(${fields.vatNumber?.trim() || null}::text, lower(${fields.invoiceNumber?.trim() || null}::text),
    ${fields.totalAmount ?? null}::numeric)`;
  return not(sql`${storedKey} is not distinct from ${newKey}`);
}
