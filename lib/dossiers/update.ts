import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { NotFoundError } from "@/lib/errors";
import { setAutoSend } from "./auto-send";
import { DUPLICATE_COMPANY_NUMBER, isDuplicateCompanyNumber } from "./create";
import { type DossierSummary, loadDossierSummary, resolveDossierScope } from "./get";
import type { UpdateDossierInput } from "./schemas";

/**
 * Changes a dossier's name, company number, VAT number, language and auto-send switch, all or
 * nothing. Name, numbers and language need "dossier.update" (admins and accountants; an entrepreneur sees them only);
 * the switch needs "dossier.autoSend" (setAutoSend checks it, and everyone who sees the dossier
 * holds it). Both are checked before anything changes.
 * - A company number that another dossier of the office has is a field error, as on create.
 * - A VAT number left at its Belgian default ("BE" + the company number) follows a new company
 *   number, unless the change sets one; `vatNumber: null` puts the default back.
 * Answers the dossier as it is afterwards. Unknown, malformed and foreign ids throw NotFoundError.
 */
export async function updateDossier(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  change: UpdateDossierInput,
): Promise<DossierSummary> {
  const { isAutoSendEnabled, ...fields } = change;
  const isChangingFields = Object.values(fields).some((value) => value !== undefined);
  const scope = await resolveDossierScope(
    db,
    actor,
    dossierId,
    isChangingFields ? "dossier.update" : "dossier.autoSend",
  );
  if (isAutoSendEnabled !== undefined) authorize(actor, "dossier.autoSend", scope);

  try {
    await db.transaction(async (tx) => {
      if (isChangingFields) {
        const [current] = await tx
          .select({ companyNumber: dossiers.companyNumber, vatNumber: dossiers.vatNumber })
          .from(dossiers)
          .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)))
          .for("update");
        if (!current) throw new NotFoundError();
        const companyNumber = fields.companyNumber ?? current.companyNumber;
        if (companyNumber !== current.companyNumber) {
          const [taken] = await tx
            .select({ id: dossiers.id })
            .from(dossiers)
            .where(
              and(
                eq(dossiers.portalId, scope.portalId),
                eq(dossiers.companyNumber, companyNumber),
                ne(dossiers.id, scope.dossierId),
              ),
            )
            .limit(1);
          if (taken) throw DUPLICATE_COMPANY_NUMBER();
        }
        const isDefaultVat = current.vatNumber === null || current.vatNumber === `BE${current.companyNumber}`;
        const vatNumber =
          fields.vatNumber === undefined
            ? isDefaultVat
              ? `BE${companyNumber}`
              : current.vatNumber
            : (fields.vatNumber ?? `BE${companyNumber}`);
        await tx
          .update(dossiers)
          .set({
            ...(fields.name === undefined ? {} : { name: fields.name }),
            ...(fields.locale === undefined ? {} : { locale: fields.locale }),
            companyNumber,
            vatNumber,
            updatedAt: sql`now()`,
          })
          .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)));
      }
      if (isAutoSendEnabled !== undefined) await setAutoSend(tx, actor, scope.dossierId, isAutoSendEnabled);
    });
  } catch (error) {
    // Two changes to the same company number at once: the unique index decides, same answer.
    if (isDuplicateCompanyNumber(error)) throw DUPLICATE_COMPANY_NUMBER();
    throw error;
  }
  return loadDossierSummary(db, scope);
}
