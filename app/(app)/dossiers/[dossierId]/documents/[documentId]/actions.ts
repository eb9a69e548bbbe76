"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { confirmDocumentNotDuplicate } from "@/lib/documents/confirm-not-duplicate";

// The dossier id only says which page to refresh; the service finds the document's own dossier.
const documentRefSchema = z.object({ dossierId: z.string().max(100), documentId: z.string().max(100) });

/**
 * "It is a different document — send it": lifts the possible-duplicate hold (the service checks the
 * permission and the rule), after which auto-send applies as for any recognised document.
 */
export async function confirmNotDuplicateAction(input: {
  dossierId: string;
  documentId: string;
}): Promise<ActionResult<{ documentId: string }>> {
  return runAction("confirmNotDuplicate", async (actor) => {
    const { dossierId, documentId } = parseInput(documentRefSchema, input);
    await confirmDocumentNotDuplicate(await getDb(), actor, documentId);
    revalidatePath(`/dossiers/${dossierId}`, "layout");
    return { documentId };
  });
}
