"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { tryDeliveryNow } from "@/lib/dispatch/try-now";
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

/**
 * "Try now" on a document that waits out an outage (lib/dispatch/try-now.ts: the permission to
 * send, and the document must be waiting): its next try is now.
 */
export async function tryNowAction(input: {
  dossierId: string;
  documentId: string;
}): Promise<ActionResult<{ documentId: string }>> {
  return runAction("tryNow", async (actor) => {
    const { dossierId, documentId } = parseInput(documentRefSchema, input);
    await tryDeliveryNow(await getDb(), actor, documentId);
    revalidatePath(`/dossiers/${dossierId}`, "layout");
    return { documentId };
  });
}
