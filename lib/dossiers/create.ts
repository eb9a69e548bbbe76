import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { isUniqueViolation, ValidationError } from "@/lib/errors";
import { DEFAULT_LOCALE } from "@/lib/i18n/config";
import type { CreateDossierInput } from "./schemas";

/** A company is a client of an office once: the field error of a second dossier for it. */
export const DUPLICATE_COMPANY_NUMBER = () => new ValidationError({ companyNumber: ["companyNumber.duplicate"] });
const DUPLICATE = DUPLICATE_COMPANY_NUMBER;

/** Postgres unique violation on the (portal, company number) index, whichever driver wrapped it. */
export function isDuplicateCompanyNumber(error: unknown): boolean {
  return isUniqueViolation(error, "dossiers_portal_company_number_uq");
}

/**
 * Creates a dossier (a client company) in a portal. Admins and accountants only; a company is a
 * client of an office once, so a second dossier with the same company number is a field error.
 * Without a VAT number the dossier gets "BE" + the company number, as for every Belgian company;
 * without a language it is Dutch.
 */
export async function createDossier(
  db: DbOrTx,
  actor: Actor,
  input: CreateDossierInput,
): Promise<{ dossierId: string; name: string }> {
  authorize(actor, "dossier.create", { portalId: input.portalId });

  const [existing] = await db
    .select({ id: dossiers.id })
    .from(dossiers)
    .where(and(eq(dossiers.portalId, input.portalId), eq(dossiers.companyNumber, input.companyNumber)))
    .limit(1);
  if (existing) throw DUPLICATE();

  try {
    const [row] = await db
      .insert(dossiers)
      .values({
        portalId: input.portalId,
        name: input.name,
        companyNumber: input.companyNumber,
        vatNumber: input.vatNumber ?? `BE${input.companyNumber}`,
        locale: input.locale ?? DEFAULT_LOCALE,
      })
      .returning({ id: dossiers.id, name: dossiers.name });
    if (!row) throw new Error("insert into dossiers returned no row");
    return { dossierId: row.id, name: row.name };
  } catch (error) {
    // Two people adding the same company at once: the unique index decides, same answer.
    if (isDuplicateCompanyNumber(error)) throw DUPLICATE();
    throw error;
  }
}
