"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { type RetryFailureGroupResult, retryFailureGroup } from "@/lib/failures/retry";
import { type RetryFailureGroupInput, retryFailureGroupInputSchema } from "@/lib/failures/schemas";

export type RetryFailureGroupActionResult = ActionResult<RetryFailureGroupResult>;

/** "Retry all in this group": one bounded batch through requestSend (trigger "retry"). */
export async function retryFailureGroupAction(input: RetryFailureGroupInput): Promise<RetryFailureGroupActionResult> {
  return runAction("retryFailureGroup", async (actor) => {
    const parsed = parseInput(retryFailureGroupInputSchema, input);
    const result = await retryFailureGroup(await getDb(), actor, input);
    revalidatePath(`/portals/${parsed.portalId}/failures`);
    // The overview's per-dossier counts and the dossiers' tabs changed too.
    revalidatePath(`/portals/${parsed.portalId}`);
    revalidatePath("/dossiers/[dossierId]", "layout");
    return result;
  });
}
