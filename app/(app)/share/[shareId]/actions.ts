"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { shareOutcomeQuery } from "@/lib/share/outcome";
import { pickShareDossierSchema } from "@/lib/share/schemas";
import { pickShareDossier } from "@/lib/share/share";

export type PickShareState = ActionResult | null;

/** Uploads a waiting share's files to the dossier picked on its page, and lands on that dossier. */
export async function pickShareDossierAction(_previous: PickShareState, formData: FormData): Promise<PickShareState> {
  let landing: string | null = null;
  const result = await runAction("pickShareDossier", async (actor) => {
    const input = parseInput(pickShareDossierSchema, {
      shareId: formData.get("shareId"),
      dossierId: formData.get("dossierId"),
    });
    const picked = await pickShareDossier(await getDb(), actor, input);
    revalidatePath(`/dossiers/${picked.dossierId}`);
    landing = `/dossiers/${picked.dossierId}?${shareOutcomeQuery(picked.files)}`;
    return {};
  });
  if (result.ok && landing) redirect(landing);
  return result;
}
