"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { setFailureDigestEnabled, setFailureDigestSchema } from "@/lib/digest/settings";

/** Switches the signed-in admin's daily failure digest for this portal (lib/digest/settings.ts decides who may). */
export async function setFailureDigestAction(input: {
  portalId: string;
  enabled: boolean;
}): Promise<ActionResult<{ isEnabled: boolean }>> {
  return runAction("setFailureDigest", async (actor) => {
    const { portalId, enabled } = parseInput(setFailureDigestSchema, input);
    const result = await setFailureDigestEnabled(await getDb(), actor, portalId, enabled);
    revalidatePath(`/portals/${portalId}/settings/notifications`);
    return { isEnabled: result.isEnabled };
  });
}
