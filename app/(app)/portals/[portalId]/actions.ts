"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { createDossier } from "@/lib/dossiers/create";
import { createDossierSchema } from "@/lib/dossiers/schemas";

export type NewDossierValues = { name: string; companyNumber: string; vatNumber: string; locale: string };

/** The form's state: the result, plus on failure what the user typed (React resets the form). */
export type CreateDossierState =
  | (ActionResult<{ dossierId: string; name: string }> & { values?: NewDossierValues })
  | null;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

export async function createDossierAction(
  _previous: CreateDossierState,
  formData: FormData,
): Promise<CreateDossierState> {
  const values: NewDossierValues = {
    name: text(formData.get("name")),
    companyNumber: text(formData.get("companyNumber")),
    vatNumber: text(formData.get("vatNumber")),
    locale: text(formData.get("locale")),
  };
  const result = await runAction("createDossier", async (actor) => {
    const input = parseInput(createDossierSchema, {
      ...values,
      // No language chosen: the service's default (Dutch).
      locale: values.locale || undefined,
      portalId: text(formData.get("portalId")),
    });
    const created = await createDossier(await getDb(), actor, input);
    revalidatePath(`/portals/${input.portalId}`);
    return created;
  });
  return result.ok ? result : { ...result, values };
}
