import { ilike, or, type SQL } from "drizzle-orm";
import { dossiers } from "@/db/schema";

/** `%` and `_` (and the escape itself) taken literally in an ILIKE pattern. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * Name, company number (any notation: 0123.456.749, BE0123456749) or VAT number contains the
 * query; undefined (no condition) for an empty query. The portal overview and the API's dossier
 * list search the same way.
 */
export function dossierSearchCondition(query: string): SQL | undefined {
  if (!query) return undefined;
  const conditions = [ilike(dossiers.name, `%${escapeLike(query)}%`)];
  const compact = query.toUpperCase().replace(/[\s.\-/]/g, "");
  const digits = compact.replace(/^BE/, "");
  if (/^\d+$/.test(digits)) conditions.push(ilike(dossiers.companyNumber, `%${digits}%`));
  if (compact) conditions.push(ilike(dossiers.vatNumber, `%${escapeLike(compact)}%`));
  return or(...conditions);
}
