import { z } from "zod";
import { LOCALES } from "@/lib/i18n/config";
import { visibleTextSchema } from "@/lib/text/visible";
import { normalizeCompanyNumber } from "./company-number";

// Messages are keys under the "errors" i18n namespace: forms show them next to the field, the REST
// API returns them as problem details.

export const dossierNameSchema = visibleTextSchema({ error: "dossierName.required" })
  .min(1, "dossierName.required")
  .max(200, "dossierName.tooLong");

/** Belgian enterprise number in any common notation (0123.456.749, BE 0123 456 749) → 10 digits. */
export const companyNumberSchema = z
  .string({ error: "companyNumber.required" })
  .trim()
  .min(1, "companyNumber.required")
  .transform((value, ctx) => {
    const digits = normalizeCompanyNumber(value);
    if (!digits) {
      ctx.addIssue({ code: "custom", message: "companyNumber.invalid" });
      return z.NEVER;
    }
    return digits;
  });

/** A VAT number in any common notation → "BE" + 10 digits; "" for none; null when it is not one. */
function normalizeVatNumber(value: string | null | undefined): string | null {
  const compact = (value ?? "").toUpperCase().replace(/[\s.\-/]/g, "");
  if (compact === "") return "";
  const withPrefix = /^\d{10}$/.test(compact) ? `BE${compact}` : compact;
  return /^BE\d{10}$/.test(withPrefix) ? withPrefix : null;
}

/**
 * Optional Belgian VAT number: "BE" + 10 digits, spaces and dots allowed; bare digits get the "BE".
 * Empty → undefined (the service then uses "BE" + the company number).
 */
export const vatNumberSchema = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    const normalized = normalizeVatNumber(value);
    if (normalized === null) {
      ctx.addIssue({ code: "custom", message: "vatNumber.invalid" });
      return z.NEVER;
    }
    return normalized === "" ? undefined : normalized;
  });

/**
 * The dossier's language: the language of everything sent on its behalf (the mails to its package).
 */
export const dossierLocaleSchema = z
  .enum(LOCALES, { error: "dossierLocale.invalid" })
  .meta({ description: "The dossier's language (`nl`, `fr` or `en`): the language of the mails sent to its package." });

export const createDossierSchema = z.object({
  portalId: z.uuid({ error: "notFound" }),
  name: dossierNameSchema,
  companyNumber: companyNumberSchema,
  vatNumber: vatNumberSchema,
  /** Dutch when left out, as for every dossier made before languages existed. */
  locale: dossierLocaleSchema.optional(),
});

export type CreateDossierInput = z.output<typeof createDossierSchema>;

/**
 * A change to a dossier: only the fields sent change. `vatNumber: null` (or "") puts back the
 * Belgian default, "BE" + the company number; the auto-send switch is a permission of its own
 * ("dossier.autoSend", which entrepreneurs hold too).
 */
export const updateDossierSchema = z
  .object({
    name: dossierNameSchema.optional(),
    companyNumber: companyNumberSchema.optional(),
    vatNumber: z
      .string()
      .nullable()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        const normalized = normalizeVatNumber(value);
        if (normalized === null) {
          ctx.addIssue({ code: "custom", message: "vatNumber.invalid" });
          return z.NEVER;
        }
        return normalized === "" ? null : normalized;
      }),
    locale: dossierLocaleSchema.optional(),
    isAutoSendEnabled: z.boolean().optional(),
  })
  .refine((change) => Object.values(change).some((value) => value !== undefined), "api.nothingToUpdate");

export type UpdateDossierInput = z.output<typeof updateDossierSchema>;
