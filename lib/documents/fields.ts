import { z } from "zod";

/** null (or absent) means "not given": recognition engines report unknown fields as null. */
const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/**
 * Fields the recognition step (or the sales module) extracted from a document. Every field is
 * optional; unknown keys are dropped. The webhook, the ingestion service and the REST API share
 * this schema, and its output is the stored shape (the documents.recognised_fields column's type):
 * one definition, without the database, so connectors can name it.
 */
export const recognisedFieldsSchema = z.object({
  supplierName: optionalField(z.string().trim().min(1).max(200)),
  invoiceNumber: optionalField(z.string().trim().min(1).max(100)),
  /** A real calendar date, `YYYY-MM-DD`. */
  invoiceDate: optionalField(z.iso.date().meta({ description: "A real calendar date, `YYYY-MM-DD`." })),
  /** When the invoice is due, `YYYY-MM-DD` (an e-invoice's DueDate). */
  dueDate: optionalField(z.iso.date().meta({ description: "When the invoice is due, `YYYY-MM-DD`." })),
  /** Negative for credit notes; bounded so that nonsense (1e300) is refused. */
  totalAmount: optionalField(
    z.number().finite().min(-1e12).max(1e12).meta({ description: "Negative for credit notes." }),
  ),
  /** The VAT total, signed like totalAmount (negative for credit notes). */
  vatAmount: optionalField(
    z.number().finite().min(-1e12).max(1e12).meta({ description: "The VAT total; negative for credit notes." }),
  ),
  /** ISO 4217 code, stored upper-case. */
  currency: optionalField(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/)
      // overwrite, not transform: the type stays a string, so the REST API's reference can show it.
      .overwrite((code) => code.toUpperCase())
      .meta({ description: "ISO 4217 code (EUR), stored upper-case." }),
  ),
  /** Country prefix and number; spaces, dots and dashes are dropped, letters upper-cased ("BE0123456749"). */
  vatNumber: optionalField(
    z
      .string()
      .max(40)
      .transform((vat) => vat.replace(/[\s.-]/g, "").toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}[A-Z0-9+*]{2,13}$/))
      .meta({
        description:
          "Country prefix and number; spaces, dots and dashes are dropped, letters upper-cased (BE0123456749).",
      }),
  ),
});
export type RecognisedFieldsInput = z.input<typeof recognisedFieldsSchema>;
/** Recognised fields as stored (documents.recognised_fields) and as connectors receive them. */
export type RecognisedFields = z.output<typeof recognisedFieldsSchema>;
